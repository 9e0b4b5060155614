using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// Stores credentials UNENCRYPTED in <c>credentials.json</c> in the store directory: only for machines
    /// without a usable keychain, and only when the user opted in (a parameter, or
    /// <c>MCPAUTH_ALLOW_PLAINTEXT_STORAGE=1</c>). The directory is created with mode 0700 and the file with
    /// 0600 before any content is written; each write goes to a temporary file in the same directory that
    /// is renamed over the old one, so a crash never leaves a half-written store. Every use raises a warning.
    /// </summary>
    public sealed class PlaintextFileCredentialStore : CredentialStoreBase
    {
        /// <summary>The file name of the store inside its directory.</summary>
        public const string FileName = "credentials.json";

        private const string TempPrefix = "." + FileName + ".";
        private const string TempSuffix = ".tmp";

        private readonly string lockPath;
        private readonly TimeSpan lockTimeout;

        /// <summary>
        /// Initializes the store. <paramref name="allowPlaintext"/> must be true: it is the user's explicit
        /// opt-in, set by the cmdlet layer from a parameter or <c>MCPAUTH_ALLOW_PLAINTEXT_STORAGE=1</c>.
        /// </summary>
        /// <exception cref="McpAuthException"><see cref="ErrorIds.PlaintextStorageNotAllowed"/> without the opt-in.</exception>
        public PlaintextFileCredentialStore(string directory, bool allowPlaintext, TimeSpan? lockTimeout = null, IClock? clock = null)
            : base(clock)
        {
            if (string.IsNullOrEmpty(directory))
            {
                throw new ArgumentException("The store directory must not be empty.", nameof(directory));
            }

            if (!allowPlaintext)
            {
                throw new CredentialStoreException(
                    ErrorIds.PlaintextStorageNotAllowed,
                    McpErrorKind.InvalidOperation,
                    "Storing credentials in an unencrypted file was requested but not allowed. Opt in explicitly "
                    + $"(set {CredentialStoreFactory.AllowPlaintextVariable}=1 or use the parameter that allows plaintext storage), "
                    + "or use the system keychain.",
                    directory,
                    $"Set {CredentialStoreFactory.AllowPlaintextVariable}=1 to accept unencrypted storage, or install a keyring.");
            }

            Directory = Path.GetFullPath(directory);
            FilePath = Path.Combine(Directory, FileName);
            lockPath = FilePath + ".lock";
            this.lockTimeout = lockTimeout ?? CredentialStoreOptions.DefaultLockTimeout;
        }

        /// <summary>Gets the store directory.</summary>
        public string Directory { get; }

        /// <summary>Gets the full path of the unencrypted credentials file.</summary>
        public string FilePath { get; }

        /// <inheritdoc/>
        public override string Location => FilePath;

        /// <inheritdoc/>
        public override CredentialStoreKind Kind => CredentialStoreKind.Plaintext;

        /// <inheritdoc/>
        public override string? LockDirectory => Directory;

        private protected override async Task<IDisposable> LockAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            callbacks.Warning($"Credentials are stored UNENCRYPTED in {FilePath} because plaintext storage was explicitly allowed. Anyone who can read that file can use them.");
            EnsureDirectory();
            return await CredentialStoreLock.AcquireAsync(lockPath, lockTimeout, callbacks, cancellationToken).ConfigureAwait(false);
        }

        private protected override byte[] ReadBytes()
        {
            try
            {
                return File.ReadAllBytes(FilePath);
            }
            catch (FileNotFoundException)
            {
                return Array.Empty<byte>();
            }
            catch (DirectoryNotFoundException)
            {
                return Array.Empty<byte>();
            }
        }

        private protected override void WriteBytes(byte[] data)
        {
            DeleteStaleTempFiles();
            string temp = Path.Combine(Directory, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
            try
            {
                using (FileStream stream = UnixFileSystem.IsUnix
                    ? UnixFileSystem.CreateOwnerOnly(temp)
                    : new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(data, 0, data.Length);
                    stream.Flush(flushToDisk: true);
                }

                if (UnixFileSystem.IsUnix)
                {
                    UnixFileSystem.Rename(temp, FilePath);
                }
                else if (File.Exists(FilePath))
                {
                    File.Replace(temp, FilePath, destinationBackupFileName: null);
                }
                else
                {
                    File.Move(temp, FilePath);
                }
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        private protected override void Clear()
        {
            DeleteStaleTempFiles();
            if (File.Exists(FilePath))
            {
                File.Delete(FilePath);
            }
        }

        private void EnsureDirectory()
        {
            if (UnixFileSystem.IsUnix)
            {
                UnixFileSystem.CreateOwnerOnlyDirectory(Directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(Directory);
            }
        }

        // Left behind only by a writer killed between creating and renaming its file; we hold the lock, so no live writer owns one.
        private void DeleteStaleTempFiles()
        {
            foreach (string stale in System.IO.Directory.GetFiles(Directory, TempPrefix + "*" + TempSuffix))
            {
                TryDelete(stale);
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
