using McpAuth.Testing;
using McpAuth.Core.Tests;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;
using Xunit;

namespace McpAuth.Core.Tests.Storage
{
    /// <summary>What every store must do; run against the memory and the plaintext store.</summary>
    public abstract class CredentialStoreContractTests : IDisposable
    {
        private static readonly CredentialKey Key = CredentialRecordTests.Key;

        protected CredentialStoreContractTests()
        {
            Temp = new TempDirectory();
        }

        internal TempDirectory Temp { get; }

        internal RecordingCallbacks Callbacks { get; } = new RecordingCallbacks();

        public void Dispose() => Temp.Dispose();

        [Fact]
        public async Task Round_trips_a_record_with_every_field()
        {
            ICredentialStore store = CreateStore();
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), Callbacks, CancellationToken.None);

            CredentialRecord? back = await CreateStore().GetAsync(Key, Callbacks, CancellationToken.None);
            Assert.NotNull(back);
            Assert.Equal("at-SECRET-1", back!.Tokens!.AccessToken!.Reveal());
            Assert.Equal("rt-SECRET-3", back.Tokens.RefreshToken!.Reveal());
            Assert.Equal("cs-SECRET-2", back.Client!.ClientSecret!.Reveal());
            Assert.Equal("client_secret_basic", back.Client.TokenEndpointAuthMethod);
            Assert.Equal(new Uri("https://as.example.com/register"), back.Discovery!.RegistrationEndpoint);
            Assert.NotEqual(default, back.CreatedAt);
            Assert.Equal(back.CreatedAt, back.UpdatedAt);
            Assert.False(back.IsCorrupted);
        }

        [Fact]
        public async Task Never_returns_a_record_for_another_issuer_or_account()
        {
            ICredentialStore store = CreateStore();
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), Callbacks, CancellationToken.None);

            Assert.Null(await store.GetAsync(new CredentialKey(Key.Resource, "https://other-as.example.com"), Callbacks, CancellationToken.None));
            Assert.Null(await store.GetAsync(new CredentialKey(Key.Resource, Key.Issuer + "/"), Callbacks, CancellationToken.None));
            Assert.Null(await store.GetAsync(new CredentialKey(Key.Resource, Key.Issuer, "bob"), Callbacks, CancellationToken.None));
            Assert.NotNull(await store.GetAsync(Key, Callbacks, CancellationToken.None));
        }

        [Fact]
        public async Task Refuses_to_store_a_record_under_another_key_or_with_another_issuers_discovery()
        {
            ICredentialStore store = CreateStore();
            var other = new CredentialKey(Key.Resource, "https://other-as.example.com");
            await Assert.ThrowsAsync<ArgumentException>(() => store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(other), Callbacks, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => store.UpdateAsync(
                Key,
                _ => CredentialRecordTests.FullRecord(Key) with { Discovery = new StoredDiscovery("https://other-as.example.com") },
                Callbacks, CancellationToken.None));
            Assert.Empty(await store.ListAsync(Callbacks, CancellationToken.None));
        }

        [Fact]
        public async Task Update_sees_the_current_value_keeps_created_at_and_null_deletes()
        {
            ICredentialStore store = CreateStore();
            await store.UpdateAsync(Key, current =>
            {
                Assert.Null(current);
                return CredentialRecordTests.FullRecord(Key);
            }, Callbacks, CancellationToken.None);
            CredentialRecord first = (await store.GetAsync(Key, Callbacks, CancellationToken.None))!;

            await Task.Delay(20);
            await store.UpdateAsync(Key, current =>
            {
                Assert.Equal("at-SECRET-1", current!.Tokens!.AccessToken!.Reveal());
                return current with { Tokens = current.Tokens with { AccessToken = new Secret("at-rotated") } };
            }, Callbacks, CancellationToken.None);
            CredentialRecord second = (await store.GetAsync(Key, Callbacks, CancellationToken.None))!;
            Assert.Equal("at-rotated", second.Tokens!.AccessToken!.Reveal());
            Assert.Equal("rt-SECRET-3", second.Tokens.RefreshToken!.Reveal());
            Assert.Equal(first.CreatedAt, second.CreatedAt);
            Assert.True(second.UpdatedAt > first.UpdatedAt);

            await store.UpdateAsync(Key, _ => null, Callbacks, CancellationToken.None);
            Assert.Null(await store.GetAsync(Key, Callbacks, CancellationToken.None));
        }

        [Fact]
        public async Task Concurrent_updates_in_one_process_lose_nothing()
        {
            ICredentialStore store = CreateStore();
            ICredentialStore second = CreateStore();
            var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(() => (i % 2 == 0 ? store : second).UpdateAsync(Key, Increment, Callbacks, CancellationToken.None)));
            await Task.WhenAll(tasks);

            CredentialRecord? back = await store.GetAsync(Key, Callbacks, CancellationToken.None);
            Assert.Equal("40", back!.Tokens!.AccessToken!.Reveal());
        }

        [Fact]
        public async Task Lists_all_records_and_removes_one()
        {
            ICredentialStore store = CreateStore();
            var keys = new[]
            {
                Key,
                new CredentialKey("https://mcp2.example.com/", "https://as.example.com"),
                new CredentialKey(Key.Resource, Key.Issuer, "alice"),
            };
            foreach (CredentialKey k in keys)
            {
                await store.UpdateAsync(k, _ => CredentialRecordTests.FullRecord(k), Callbacks, CancellationToken.None);
            }

            IReadOnlyList<CredentialRecord> all = await store.ListAsync(Callbacks, CancellationToken.None);
            Assert.Equal(keys.OrderBy(k => k.ToString()), all.Select(r => r.Key).OrderBy(k => k.ToString()));

            await store.RemoveAsync(keys[1], Callbacks, CancellationToken.None);
            await store.RemoveAsync(keys[1], Callbacks, CancellationToken.None);
            Assert.Equal(2, (await store.ListAsync(Callbacks, CancellationToken.None)).Count);
            Assert.Null(await store.GetAsync(keys[1], Callbacks, CancellationToken.None));

            await store.ResetAsync(Callbacks, CancellationToken.None);
            Assert.Empty(await store.ListAsync(Callbacks, CancellationToken.None));
        }

        [Fact]
        public async Task A_cancelled_token_stops_before_touching_the_store()
        {
            ICredentialStore store = CreateStore();
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), Callbacks, cts.Token));
            Assert.Null(await store.GetAsync(Key, Callbacks, CancellationToken.None));
        }

        internal static CredentialRecord Increment(CredentialRecord? current)
        {
            int n = current?.Tokens?.AccessToken is { } t ? int.Parse(t.Reveal(), CultureInfo.InvariantCulture) : 0;
            return (current ?? CredentialRecordTests.FullRecord(Key)) with
            {
                Tokens = new StoredTokenSet { AccessToken = new Secret((n + 1).ToString(CultureInfo.InvariantCulture)) },
            };
        }

        /// <summary>Creates a store over the same persisted state each time (a new instance, as another session would).</summary>
        internal abstract ICredentialStore CreateStore();
    }

    public sealed class MemoryCredentialStoreTests : CredentialStoreContractTests
    {
        private readonly MemoryCredentialStore store = new MemoryCredentialStore();

        internal override ICredentialStore CreateStore() => store;
    }

    public sealed class PlaintextCredentialStoreContractTests : CredentialStoreContractTests
    {
        internal override ICredentialStore CreateStore() => new PlaintextFileCredentialStore(Temp.StoreDir, allowPlaintext: true);
    }
}
