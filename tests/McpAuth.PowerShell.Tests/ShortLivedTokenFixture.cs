using System;
using McpAuth.Testing;

namespace McpAuth.HostedTests
{
    /// <summary>A fixture whose access tokens live four seconds, so expiry and refresh happen within a test.</summary>
    public sealed class ShortLivedTokenFixture : IDisposable
    {
        public const int AccessTtlSeconds = 4;

        public FixtureServer Server { get; } = new FixtureServer("--access-ttl", AccessTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public void Dispose() => Server.Dispose();
    }
}
