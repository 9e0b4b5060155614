using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Core.Tokens;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// A full disk under the plaintext store (a 64 KiB tmpfs filled to the last byte) while a refresh rotates the
    /// refresh token (issue #11, 2): the rotated token is never lost. It is kept in the process's memory, the
    /// failure is a typed error, the next refresh uses the rotated token (the authorization server sees no reuse),
    /// and it is written once there is space again.
    /// </summary>
    public sealed class FullDiskTests
    {
        [Fact]
        public async Task A_refresh_whose_write_fails_keeps_the_rotated_refresh_token_in_memory_and_says_so()
        {
            using var peer = new MiniMcpPeer();
            string url = peer.AddEndpoint("/mcp");
            using var temp = new TempDirectory();
            using var disk = new SmallDisk(Path.Combine(temp.Path, "small"));
            using var engine = new HostileEngine(peer, disk.Path);
            McpConnection connection = engine.Connect(url);
            Assert.Equal("before", await engine.EchoAsync(connection, "before"));
            string storedBefore = File.ReadAllText(Path.Combine(disk.Path, PlaintextFileCredentialStore.FileName));

            // The disk fills up while the refresh is at the authorization server: the store's lock is held, the write fails.
            peer.Override = (request, role) =>
            {
                if (role == PeerRole.Token && request.FormFields.GetValueOrDefault("grant_type") == "refresh_token")
                {
                    disk.Fill();
                }

                return null;
            };
            McpAuthException failure = await Assert.ThrowsAsync<CredentialStoreException>(() => RefreshAsync(engine, connection));
            Assert.Equal(ErrorIds.CredentialNotSaved, failure.ErrorId);
            Assert.Contains("memory", failure.Message, StringComparison.Ordinal);
            Assert.Single(peer.Events, e => e.StartsWith("token refresh_token", StringComparison.Ordinal));
            Assert.Equal(storedBefore, File.ReadAllText(Path.Combine(disk.Path, PlaintextFileCredentialStore.FileName)));
            peer.Override = null;

            // The session goes on with the rotated tokens, which only its memory holds.
            Assert.Equal("still", await engine.EchoAsync(connection, "still"));

            // While the disk stays full, another refresh fails typed (the store cannot be locked, or written again),
            // and if it reached the server it presented the rotated refresh token.
            disk.Fill();
            McpAuthException full = await Assert.ThrowsAsync<CredentialStoreException>(() => RefreshAsync(engine, connection));
            Assert.Contains(full.ErrorId, new[] { ErrorIds.CredentialNotSaved, ErrorIds.CredentialStoreUnavailable });
            Assert.DoesNotContain(peer.Events, e => e.StartsWith("refresh-reuse", StringComparison.Ordinal));
            int refreshes = peer.Events.Count(e => e.StartsWith("token refresh_token", StringComparison.Ordinal));

            // Space again: the next change writes what memory kept, and a new connection (as a new process would) uses it.
            disk.Free();
            await RefreshAsync(engine, connection);
            Assert.Equal(refreshes + 1, peer.Events.Count(e => e.StartsWith("token refresh_token", StringComparison.Ordinal)));
            Assert.DoesNotContain(peer.Events, e => e.StartsWith("refresh-reuse", StringComparison.Ordinal));
            string newest = connection.OAuth.Tokens!.RefreshToken!.Reveal();
            Assert.Contains(newest, File.ReadAllText(Path.Combine(disk.Path, PlaintextFileCredentialStore.FileName)));
            Assert.Equal("after", await engine.EchoAsync(engine.Connect(url, allowSignIn: false), "after"));
            Assert.DoesNotContain(peer.Issued, secret => engine.Callbacks.AllText.Contains(secret, StringComparison.Ordinal));
        }

        private static Task<bool> RefreshAsync(HostileEngine engine, McpConnection connection) => HostileEngine.RunAsync(async t =>
        {
            await connection.OAuth.ChangeAsync(CredentialChange.Refresh(), engine.Callbacks, t);
            return true;
        });
    }
}
