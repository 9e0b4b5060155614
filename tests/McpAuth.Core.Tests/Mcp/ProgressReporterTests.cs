using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>Progress tokens: one per tool call, never the same twice in a process, and not guessable across processes.</summary>
    public sealed class ProgressReporterTests
    {
        [Fact]
        public void Every_call_gets_a_token_of_its_own_even_when_calls_start_at_once()
        {
            var tokens = new List<string>[8];
            Parallel.For(0, tokens.Length, lane => tokens[lane] = Enumerable.Range(0, 500).Select(_ => new ProgressReporter("Tool echo").Token).ToList());
            string[] all = tokens.SelectMany(t => t).ToArray();

            Assert.Equal(all.Length, all.Distinct().Count());
            Assert.All(all, t => Assert.Matches("^mcpauth-[0-9a-f]{32}-[0-9]+$", t));
        }
    }
}
