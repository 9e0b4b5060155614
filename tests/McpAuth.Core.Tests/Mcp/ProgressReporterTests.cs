using System.Linq;
using System.Text.Json;
using McpAuth.Core.Mcp;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>
    /// Progress tokens: a number the connection draws for each tool call (the wire shape and the numbers are checked
    /// end to end in InvokeMcpToolTests); a progress notification counts only when it carries the call's own token.
    /// </summary>
    public sealed class ProgressReporterTests
    {
        [Theory]
        [InlineData("7", true)]
        [InlineData("\"7\"", true)]
        [InlineData("8", false)]
        [InlineData("7.5", false)]
        [InlineData("\"07\"", false)]
        [InlineData("\"mcpauth-7\"", false)]
        [InlineData("null", false)]
        [InlineData("{}", false)]
        [InlineData("1e400", false)]
        public void A_notification_counts_only_with_the_calls_own_token(string token, bool counts)
        {
            var callbacks = new RecordingCallbacks();
            var context = new McpCallContext(callbacks) { Progress = new ProgressReporter("Tool slow", 7) };
            JsonRpcMessage message = JsonSerializer.Deserialize(
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":" + token + ",\"progress\":1,\"total\":4}}",
                McpJsonContext.Default.JsonRpcMessage)!;

            NotificationRouter.Handle(message, context);

            Assert.Equal(counts, callbacks.ProgressUpdates.Any(u => u.Activity == "Tool slow" && u.PercentComplete == 25));
        }
    }
}
