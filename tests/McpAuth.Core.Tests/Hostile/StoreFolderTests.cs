using System.IO;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;
using McpAuth.Core.Tests.Storage;
using McpAuth.Testing.Hostile;
using Xunit;

namespace McpAuth.Core.Tests.Hostile
{
    /// <summary>
    /// A store folder that other users can write to is never used as it is (issue #11, 9): one this user owns is
    /// made 0700 before anything is stored in it; one that cannot be made private is refused with the typed
    /// InsecureCredentialStore, and nothing is written.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public sealed class StoreFolderTests
    {
        private static readonly CredentialKey Key = CredentialRecordTests.Key;
        private readonly RecordingCallbacks callbacks = new();

        [Theory]
        [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)]
        [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute)]
        [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)]
        public async Task A_folder_others_can_write_to_is_made_private_before_anything_is_stored(UnixFileMode before)
        {
            using var temp = new TempDirectory();
            Directory.CreateDirectory(temp.StoreDir);
            File.SetUnixFileMode(temp.StoreDir, before);

            var store = new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true);
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), callbacks, CancellationToken.None);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(temp.StoreDir));
            Assert.NotNull(await store.GetAsync(Key, callbacks, CancellationToken.None));
        }

        [Fact]
        public async Task A_readable_but_not_writable_folder_is_left_as_it_is()
        {
            using var temp = new TempDirectory();
            Directory.CreateDirectory(temp.StoreDir);
            UnixFileMode shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            File.SetUnixFileMode(temp.StoreDir, shared);

            var store = new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true);
            await store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), callbacks, CancellationToken.None);

            // Others can list the folder but read nothing in it: every file is 0600.
            Assert.Equal(shared, File.GetUnixFileMode(temp.StoreDir));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
        }

        [Fact]
        public async Task A_folder_others_can_write_to_that_cannot_be_made_private_is_refused()
        {
            using var temp = new TempDirectory();

            // A 0777 folder on a read-only file system: chmod fails even for root.
            using var disk = new SmallDisk(Path.Combine(temp.Path, "shared"), mode: "0777");
            disk.MakeReadOnly();

            var store = new PlaintextFileCredentialStore(disk.Path, allowPlaintext: true);
            CredentialStoreException refused = await Assert.ThrowsAsync<CredentialStoreException>(
                () => store.UpdateAsync(Key, _ => CredentialRecordTests.FullRecord(Key), callbacks, CancellationToken.None));

            Assert.Equal(ErrorIds.InsecureCredentialStore, refused.ErrorId);
            Assert.Equal(McpErrorKind.SecurityError, refused.Kind);
            Assert.Contains("777", refused.Message, System.StringComparison.Ordinal);
            Assert.NotNull(refused.RecommendedAction);
            Assert.Empty(Directory.GetFileSystemEntries(disk.Path));
        }
    }
}
