using System;
using System.Diagnostics;
using System.Threading.Tasks;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Storage
{
    /// <summary>
    /// A running process goes on using the keyring after the Secret Service daemon restarts (issue #11, 6; the
    /// fault test "keyring daemon restarted"). It used to fail with KeychainUnavailable on every call until the
    /// process was restarted, though the data was intact: libsecret kept its connection to the old daemon.
    /// </summary>
    public sealed class KeyringRestartTests : IDisposable
    {
        private const string Resource = "https://restart.example.com/mcp";
        private const string Issuer = "https://as.restart.example.com";
        private readonly TempDirectory temp = new();

        public void Dispose() => temp.Dispose();

        [Fact]
        public async Task A_process_reconnects_to_a_restarted_keyring_and_keeps_its_data()
        {
            using PrivateKeyring keyring = PrivateKeyring.Start();
            using Process session = Process.Start(ChildProcess.ProbeInfo(keyring.Environment(temp.StoreDir), "session"))!;
            try
            {
                Assert.Equal("ready", await ReadLineAsync(session));
                Assert.Equal("stored", await SendAsync(session, $"put {Resource} {Issuer} tok-before"));
                Assert.Equal("found tok-before", await SendAsync(session, $"get {Resource} {Issuer}"));

                keyring.Restart();

                // The same process, the same store object: the data is there, and it can write again.
                Assert.Equal("found tok-before", await SendAsync(session, $"get {Resource} {Issuer}"));
                Assert.Equal("stored", await SendAsync(session, $"put {Resource} {Issuer} tok-after"));
                Assert.Equal("found tok-after", await SendAsync(session, $"get {Resource} {Issuer}"));

                // And once more, to show the reconnection is not a one-off.
                keyring.Restart();
                Assert.Equal("found tok-after", await SendAsync(session, $"get {Resource} {Issuer}"));
            }
            finally
            {
                session.StandardInput.Close();
                if (!session.WaitForExit(20000))
                {
                    session.Kill();
                }
            }

            // A new process sees what the first one wrote after the restarts.
            KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(keyring.Environment(temp.StoreDir), "get", Resource, Issuer), "found tok-after");
        }

        private static async Task<string> SendAsync(Process session, string line)
        {
            await session.StandardInput.WriteLineAsync(line);
            await session.StandardInput.FlushAsync();
            return await ReadLineAsync(session);
        }

        private static async Task<string> ReadLineAsync(Process session)
        {
            Task<string?> read = session.StandardOutput.ReadLineAsync();
            if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(60))) != read)
            {
                session.Kill();
                throw new TimeoutException("The store session did not answer: " + await session.StandardError.ReadToEndAsync());
            }

            return await read ?? throw new InvalidOperationException("The store session ended: " + await session.StandardError.ReadToEndAsync());
        }
    }
}
