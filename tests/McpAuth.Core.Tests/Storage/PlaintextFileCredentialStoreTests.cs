using McpAuth.Testing;
using McpAuth.Core.Tests;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;
using Xunit;

namespace McpAuth.Core.Tests.Storage
{
    // File modes and the P/Invoke file creation are Unix behaviour; these tests run on Linux and macOS.
    [UnsupportedOSPlatform("windows")]
    public sealed class PlaintextFileCredentialStoreTests : IDisposable
    {
        private static readonly CredentialKey Key = CredentialRecordTests.Key;
        private static readonly CredentialKey OtherKey = new CredentialKey("https://mcp2.example.com/mcp", "https://as2.example.com");
        private readonly TempDirectory temp = new TempDirectory();
        private readonly RecordingCallbacks callbacks = new RecordingCallbacks();

        public void Dispose() => temp.Dispose();

        [Fact]
        public void Refuses_to_exist_without_the_explicit_opt_in()
        {
            var ex = Assert.Throws<CredentialStoreException>(() => new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: false));
            Assert.Equal(ErrorIds.PlaintextStorageNotAllowed, ex.ErrorId);
            Assert.Contains("MCPAUTH_ALLOW_PLAINTEXT_STORAGE=1", ex.Message);
            Assert.False(Directory.Exists(temp.StoreDir));
        }

        [Fact]
        public async Task Creates_the_directory_0700_and_the_file_0600()
        {
            var store = Store();
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), callbacks, CancellationToken.None);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(temp.StoreDir));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
            Assert.Contains("at-SECRET-1", File.ReadAllText(store.FilePath));
        }

        [Fact]
        public void A_new_file_is_created_0600_before_any_byte_is_written_and_never_reused()
        {
            Directory.CreateDirectory(temp.StoreDir);
            string path = Path.Combine(temp.StoreDir, "probe.tmp");
            using (FileStream stream = UnixFileSystem.CreateOwnerOnly(path))
            {
                Assert.Equal(0, new FileInfo(path).Length);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                stream.WriteByte(1);
            }

            Assert.Throws<IOException>(() => UnixFileSystem.CreateOwnerOnly(path));
        }

        [Fact]
        public async Task Writes_replace_the_file_by_rename_so_a_reader_never_sees_a_partial_file()
        {
            var store = Store();
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key, "first-token"), callbacks, CancellationToken.None);

            // A reader holding the old file keeps reading the complete old document: the write did not
            // truncate it in place, it renamed a new file over it.
            using var oldReader = new FileStream(store.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await store.UpdateAsync(Key, r => r! with { Tokens = r.Tokens! with { AccessToken = new Secret("second-token") } }, callbacks, CancellationToken.None);

            string old = new StreamReader(oldReader, Encoding.UTF8).ReadToEnd();
            Assert.Contains("first-token", old);
            Assert.Contains("second-token", File.ReadAllText(store.FilePath));
            Assert.Equal(new[] { "credentials.json" }, Directory.GetFiles(temp.StoreDir).Select(Path.GetFileName).Where(n => !n!.Contains(".lock", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task Every_use_raises_a_warning_naming_the_file()
        {
            var store = Store();
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), callbacks, CancellationToken.None);
            await store.GetAsync(Key, callbacks, CancellationToken.None);
            await store.ListAsync(callbacks, CancellationToken.None);

            Assert.Equal(3, callbacks.Warnings.Count);
            Assert.All(callbacks.Warnings, w => Assert.Contains("UNENCRYPTED", w));
            Assert.All(callbacks.Warnings, w => Assert.Contains(store.FilePath, w));
        }

        [Fact]
        public async Task A_corrupted_record_is_flagged_and_the_others_stay_usable()
        {
            var store = Store();
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key, "token-of-the-good-one"), callbacks, CancellationToken.None);
            await store.UpdateAsync(OtherKey, _ => CredentialRecordTests.FullRecord(OtherKey, "token-of-the-bad-one"), callbacks, CancellationToken.None);
            string text = File.ReadAllText(store.FilePath);
            File.WriteAllText(store.FilePath, text.Replace("\"token-of-the-bad-one\"", "{\"broken\":true}"));

            IReadOnlyList<CredentialRecord> listed = await store.ListAsync(callbacks, CancellationToken.None);
            Assert.Equal(2, listed.Count);
            CredentialRecord bad = Assert.Single(listed, r => r.IsCorrupted);
            Assert.Equal(OtherKey, bad.Key);
            Assert.Contains(callbacks.Warnings, w => w.Contains("corrupted"));
            Assert.Equal("token-of-the-good-one", (await store.GetAsync(Key, callbacks, CancellationToken.None))!.Tokens!.AccessToken!.Reveal());

            var getBad = await Assert.ThrowsAsync<CredentialStoreException>(() => store.GetAsync(OtherKey, callbacks, CancellationToken.None));
            Assert.Equal(ErrorIds.CredentialCorrupted, getBad.ErrorId);
            var updateBad = await Assert.ThrowsAsync<CredentialStoreException>(() => store.UpdateAsync(OtherKey, _ => CredentialRecordTests.FullRecord(OtherKey), callbacks, CancellationToken.None));
            Assert.Equal(ErrorIds.CredentialCorrupted, updateBad.ErrorId);

            // Updating the good record keeps the damaged one exactly as it was.
            await store.UpdateAsync(Key, r => r! with { Subject = "changed" }, callbacks, CancellationToken.None);
            Assert.Contains("{\"broken\":true}", File.ReadAllText(store.FilePath));

            await store.RemoveAsync(OtherKey, callbacks, CancellationToken.None);
            CredentialRecord only = Assert.Single(await store.ListAsync(callbacks, CancellationToken.None));
            Assert.False(only.IsCorrupted);
            Assert.Equal("changed", only.Subject);
        }

        [Fact]
        public async Task An_unreadable_file_is_never_overwritten_but_reset_clears_it()
        {
            var store = Store();
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), callbacks, CancellationToken.None);
            File.WriteAllText(store.FilePath, "{\"v\":1,\"records\":[{\"v\":1,");

            foreach (Func<Task> operation in new Func<Task>[]
            {
                () => store.GetAsync(Key, callbacks, CancellationToken.None),
                () => store.ListAsync(callbacks, CancellationToken.None),
                () => store.UpdateAsync(OtherKey, _ => CredentialRecordTests.FullRecord(OtherKey), callbacks, CancellationToken.None),
                () => store.RemoveAsync(Key, callbacks, CancellationToken.None),
            })
            {
                var ex = await Assert.ThrowsAsync<CredentialStoreException>(operation);
                Assert.Equal(ErrorIds.CredentialCorrupted, ex.ErrorId);
                Assert.Contains(store.FilePath, ex.Message);
            }

            Assert.Equal("{\"v\":1,\"records\":[{\"v\":1,", File.ReadAllText(store.FilePath));

            await store.ResetAsync(callbacks, CancellationToken.None);
            Assert.False(File.Exists(store.FilePath));
            await store.UpdateAsync(OtherKey, _ => CredentialRecordTests.FullRecord(OtherKey), callbacks, CancellationToken.None);
            Assert.Single(await store.ListAsync(callbacks, CancellationToken.None));
        }

        [Fact]
        public async Task Waits_for_another_holder_of_the_lock_and_reports_CredentialStoreBusy_when_it_never_lets_go()
        {
            var store = new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true, TimeSpan.FromMilliseconds(400));
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), callbacks, CancellationToken.None);

            // Another process's lock, as the OS sees it: an exclusive lock on the guard file.
            string guardPath = store.FilePath + ".lock.guard";
            using (new FileStream(guardPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                var ex = await Assert.ThrowsAsync<CredentialStoreException>(() => store.GetAsync(Key, callbacks, CancellationToken.None));
                Assert.Equal(ErrorIds.CredentialStoreBusy, ex.ErrorId);
                Assert.Contains(store.FilePath + ".lock", ex.Message);
            }

            var held = new FileStream(guardPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            _ = Task.Delay(200).ContinueWith(_ => held.Dispose(), TaskScheduler.Default);
            Assert.NotNull(await new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true).GetAsync(Key, callbacks, CancellationToken.None));
            Assert.True(stopwatch.ElapsedMilliseconds >= 150, $"did not wait for the holder ({stopwatch.ElapsedMilliseconds} ms)");
            Assert.Contains(callbacks.VerboseLines, l => l.Contains("held by another process"));
        }

        private PlaintextFileCredentialStore Store() => new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true);
    }
}
