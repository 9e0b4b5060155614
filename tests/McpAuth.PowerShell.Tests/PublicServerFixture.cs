using System;
using McpAuth.Testing;

namespace McpAuth.HostedTests
{
    /// <summary>One fixture process shared by the tests of a class.</summary>
    public sealed class PublicServerFixture : IDisposable
    {
        public FixtureServer Server { get; } = new FixtureServer();

        public void Dispose() => Server.Dispose();
    }
}
