using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Core.Tokens;
using Xunit;

namespace McpAuth.Core.Tests.Tokens
{
    /// <summary>One piece of work once on the machine: two caches over one store directory stand for two processes.</summary>
    public sealed class SignInCoordinatorTests : IDisposable
    {
        private static readonly Uri Server = new("http://127.0.0.1:9/mcp");
        private readonly TempDirectory temp = new();
        private readonly RecordingCallbacks callbacks = new();
        private readonly string lockName = NamedLockFile.Name("signin", "test");

        public void Dispose() => temp.Dispose();

        [Fact]
        public async Task A_second_caller_waits_for_the_first_and_uses_what_it_stored()
        {
            TokenCache one = NewCache();
            TokenCache two = NewCache();
            string? result = null;
            var working = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var finish = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            int works = 0;

            Task<string> first = Once(one, () => result, async () =>
            {
                Interlocked.Increment(ref works);
                working.SetResult(true);
                await finish.Task;
                return result = "signed in by the first";
            });
            await working.Task;
            Task<string> second = Once(two, () => result, () =>
            {
                Interlocked.Increment(ref works);
                return Task.FromResult("signed in by the second");
            });
            await WaitFor(() => callbacks.Messages.ToArray().Length > 0);
            finish.SetResult(true);

            Assert.Equal("signed in by the first", await first);
            Assert.Equal("signed in by the first", await second);
            Assert.Equal(1, works);
            Assert.Contains(callbacks.Messages, m => m.Contains("Waiting for the sign-in to the test server", StringComparison.Ordinal));
        }

        [Fact]
        public async Task When_the_first_fails_one_waiter_takes_over()
        {
            TokenCache one = NewCache();
            var working = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var fail = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            string? result = null;
            int works = 0;

            Task<string> first = Once(one, () => result, async () =>
            {
                working.SetResult(true);
                await fail.Task;
                throw new InvalidOperationException("the person closed the browser");
            });
            await working.Task;
            Task<string>[] waiters =
            {
                Once(NewCache(), () => result, () => Work()),
                Once(NewCache(), () => result, () => Work()),
            };
            await WaitFor(() => callbacks.Messages.ToArray().Length > 0);
            fail.SetResult(true);

            await Assert.ThrowsAsync<InvalidOperationException>(() => first);
            string[] results = await Task.WhenAll(waiters);

            Assert.Equal(1, works);
            Assert.All(results, r => Assert.Equal("signed in by a waiter", r));

            Task<string> Work()
            {
                Interlocked.Increment(ref works);
                return Task.FromResult(result = "signed in by a waiter");
            }
        }

        [Fact]
        public async Task A_wait_that_outlasts_the_timeout_is_SignInWaitTimedOut_about_the_server()
        {
            using IDisposable held = NamedLockFile.TryAcquire(temp.StoreDir, lockName)!;

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => SignInCoordinator.OnceAsync(
                NewCache(), lockName, "the sign-in to the test server", Server, TimeSpan.FromMilliseconds(500),
                _ => Task.FromResult<string?>(null), _ => Task.FromResult("never"), callbacks, CancellationToken.None));

            Assert.Equal(ErrorIds.SignInWaitTimedOut, ex.ErrorId);
            Assert.Equal(McpErrorKind.Timeout, ex.Kind);
            Assert.Equal(Server, ex.Target);
        }

        [Fact]
        public async Task Ctrl_C_ends_the_wait()
        {
            using IDisposable held = NamedLockFile.TryAcquire(temp.StoreDir, lockName)!;
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SignInCoordinator.OnceAsync(
                NewCache(), lockName, "the sign-in to the test server", Server, TimeSpan.FromMinutes(5),
                _ => Task.FromResult<string?>(null), _ => Task.FromResult("never"), callbacks, stop.Token));
        }

        [Fact]
        public void The_lock_is_a_file_beside_the_store_and_the_memory_store_has_none()
        {
            Assert.Equal(temp.StoreDir, NewCache().Store.LockDirectory);
            Assert.Null(new MemoryCredentialStore().LockDirectory);
            using IDisposable first = NamedLockFile.TryAcquire(temp.StoreDir, lockName)!;
            Assert.Null(NamedLockFile.TryAcquire(temp.StoreDir, lockName));
            Assert.True(File.Exists(Path.Combine(temp.StoreDir, lockName)));
        }

        private TokenCache NewCache() => new(new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true));

        private Task<string> Once(TokenCache cache, Func<string?> stored, Func<Task<string>> work) =>
            SignInCoordinator.OnceAsync(cache, lockName, "the sign-in to the test server", Server, TimeSpan.FromSeconds(30), _ => Task.FromResult(stored()), _ => work(), callbacks, CancellationToken.None);

        private static async Task WaitFor(Func<bool> condition)
        {
            for (int i = 0; i < 1000 && !condition(); i++)
            {
                await Task.Delay(10);
            }

            Assert.True(condition());
        }
    }
}
