using McpAuth.Testing;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace McpAuth.Core.Tests.Storage
{
    /// <summary>Several processes on one store: no lost update, and a writer killed with SIGKILL breaks nothing.</summary>
    public sealed class MultiProcessCredentialStoreTests : IDisposable
    {
        private const string Resource = "https://mcp.example.com/mcp";
        private const string Issuer = "https://as.example.com";
        private readonly TempDirectory temp = new TempDirectory();

        public void Dispose() => temp.Dispose();

        [Theory]
        [InlineData("plaintext")]
        [InlineData("keychain")]
        public async Task Concurrent_writers_in_four_processes_lose_no_update(string kind)
        {
            using PrivateKeyring? keyring = kind == "keychain" ? PrivateKeyring.Start() : null;
            Dictionary<string, string?> env = Environment(kind, keyring);

            const int processes = 4;
            const int increments = 20;
            ProcessResult[] results = await Task.WhenAll(Enumerable.Range(0, processes)
                .Select(_ => ChildProcess.ProbeAsync(env, "increment", Resource, Issuer, increments.ToString())));
            foreach (ProcessResult result in results)
            {
                KeychainCredentialStoreTests.AssertOk(result, "incremented");
            }

            KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(env, "get", Resource, Issuer), $"found {processes * increments}");
        }

        [Theory]
        [InlineData("plaintext")]
        [InlineData("keychain")]
        public void A_writer_killed_with_sigkill_mid_write_leaves_a_readable_unlocked_store(string kind)
        {
            using PrivateKeyring? keyring = kind == "keychain" ? PrivateKeyring.Start() : null;
            Dictionary<string, string?> env = Environment(kind, keyring);
            KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(env, "put", "https://other.example.com/mcp", Issuer, "tok-bystander"), "stored");

            // The hammer rewrites a ~200 KB document in a loop; SIGKILL lands somewhere inside a write.
            using (Process hammer = Process.Start(ChildProcess.ProbeInfo(env, "hammer", Resource, Issuer, "200000"))!)
            {
                try
                {
                    Task<string?> firstLine = hammer.StandardOutput.ReadLineAsync();
                    Assert.True(firstLine.Wait(TimeSpan.FromSeconds(20)), "the hammer never reported a first write");
                    Assert.Equal("running", firstLine.Result);
                    Thread.Sleep(150 + (System.Environment.TickCount & 0xFF));
                }
                finally
                {
                    hammer.Kill(); // SIGKILL on Unix
                    hammer.WaitForExit();
                }

                Assert.Equal(137, hammer.ExitCode);
            }

            var stopwatch = Stopwatch.StartNew();
            ProcessResult get = ChildProcess.Probe(env, "get", Resource, Issuer);
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.StartsWith("found ", get.StdOut.Trim());
            Assert.True(long.Parse(get.StdOut.Trim().Substring("found ".Length)) >= 1, get.ToString());
            KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(env, "get", "https://other.example.com/mcp", Issuer), "found tok-bystander");
            KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(env, "put", Resource, Issuer, "tok-after-kill"), "stored");
            KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(env, "get", Resource, Issuer), "found tok-after-kill");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), "the lock of the killed writer held up the next one");
            Assert.Empty(Directory.GetFiles(temp.StoreDir, "*.tmp"));
        }

        /// <summary>
        /// Fault test (issue #11): kill -9 in a loop. A writer is killed with SIGKILL at a random point of its write
        /// loop again and again; after every kill the store is readable and unlocked at once, the value never goes
        /// back and another record is untouched; the next writer leaves no temporary file behind.
        /// </summary>
        [Theory]
        [InlineData("plaintext")]
        [InlineData("keychain")]
        public void Writers_killed_with_sigkill_again_and_again_never_damage_or_roll_back_the_store(string kind)
        {
            const int Kills = 8;
            using PrivateKeyring? keyring = kind == "keychain" ? PrivateKeyring.Start() : null;
            Dictionary<string, string?> env = Environment(kind, keyring);
            KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(env, "put", "https://other.example.com/mcp", Issuer, "tok-bystander"), "stored");
            var random = new Random(11);
            long last = 0;
            for (int kill = 0; kill < Kills; kill++)
            {
                using (Process hammer = Process.Start(ChildProcess.ProbeInfo(env, "hammer", Resource, Issuer, "20000"))!)
                {
                    try
                    {
                        Task<string?> firstLine = hammer.StandardOutput.ReadLineAsync();
                        Assert.True(firstLine.Wait(TimeSpan.FromSeconds(30)), $"kill {kill}: the hammer never reported a first write");
                        Assert.Equal("running", firstLine.Result);
                        Thread.Sleep(random.Next(20, 400));
                    }
                    finally
                    {
                        hammer.Kill();
                        hammer.WaitForExit();
                    }

                    Assert.Equal(137, hammer.ExitCode);
                }

                ProcessResult get = ChildProcess.Probe(env, "get", Resource, Issuer);
                Assert.True(get.ExitCode == 0 && get.StdOut.StartsWith("found ", StringComparison.Ordinal), $"kill {kill}: {get}");
                long now = long.Parse(get.StdOut.Trim().Substring("found ".Length), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(now > last, $"kill {kill}: the stored value went from {last} to {now}");
                last = now;
                KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(env, "get", "https://other.example.com/mcp", Issuer), "found tok-bystander");
            }

            // The next writer cleans up whatever a killed one left half-written.
            KeychainCredentialStoreTests.AssertOk(ChildProcess.Probe(env, "put", Resource, Issuer, "tok-after-kills"), "stored");
            Assert.Empty(Directory.GetFiles(temp.StoreDir, "*.tmp"));
        }

        private Dictionary<string, string?> Environment(string kind, PrivateKeyring? keyring) => keyring is not null
            ? keyring.Environment(temp.StoreDir)
            : new Dictionary<string, string?>
            {
                ["MCPAUTH_CREDENTIAL_STORE"] = kind,
                ["MCPAUTH_ALLOW_PLAINTEXT_STORAGE"] = "1",
                ["MCPAUTH_STORE_DIR"] = temp.StoreDir,
            };
    }
}
