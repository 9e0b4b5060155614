using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Core.Tokens;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    public sealed class TokenCacheTests : IDisposable
    {
        private readonly TempDirectory temp = new();
        private readonly RecordingCallbacks callbacks = new();

        public void Dispose() => temp.Dispose();

        [Fact]
        public void The_process_opens_each_store_once()
        {
            TokenCache first = TokenCache.For(Plaintext(temp.StoreDir));

            Assert.Same(first, TokenCache.For(Plaintext(temp.StoreDir)));
            Assert.Same(first.Store, TokenCache.For(Plaintext(temp.StoreDir)).Store);
            Assert.NotSame(first, TokenCache.For(Plaintext(System.IO.Path.Combine(temp.Path, "elsewhere"))));
            Assert.Same(TokenCache.For(new CredentialStoreOptions { Kind = CredentialStoreKind.Memory }), TokenCache.For(new CredentialStoreOptions { Kind = CredentialStoreKind.Memory }));
        }

        [Fact]
        public void A_plaintext_store_opened_with_the_opt_in_is_never_handed_out_without_it()
        {
            TokenCache.For(Plaintext(temp.StoreDir));

            var refused = Assert.Throws<CredentialStoreException>(() => TokenCache.For(new CredentialStoreOptions { Kind = CredentialStoreKind.Plaintext, Directory = temp.StoreDir }));
            Assert.Equal(ErrorIds.PlaintextStorageNotAllowed, refused.ErrorId);
        }

        [Fact]
        public async Task An_update_reads_again_under_the_lock_so_concurrent_decisions_that_await_lose_nothing()
        {
            var cache = new TokenCache(new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true));
            var key = CredentialRecordTests.Key;

            await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cache.UpdateAsync(
                key,
                async (record, token) =>
                {
                    await Task.Yield();
                    return (CredentialStoreContractTests.Increment(record), true);
                },
                callbacks,
                CancellationToken.None)));

            CredentialRecord stored = (await new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true).GetAsync(key, callbacks, CancellationToken.None))!;
            Assert.Equal("20", stored.Tokens!.AccessToken!.Reveal());
            Assert.Equal("20", cache.Get(key)!.Tokens!.AccessToken.Reveal());
        }

        private static CredentialStoreOptions Plaintext(string directory) => new() { Kind = CredentialStoreKind.Plaintext, Directory = directory, AllowPlaintext = true };
    }
}
