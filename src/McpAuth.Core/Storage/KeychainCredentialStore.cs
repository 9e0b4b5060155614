using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client.Extensions.Msal;
using MsalStorage = Microsoft.Identity.Client.Extensions.Msal.Storage;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// Stores credentials in the operating system's secret store through MSAL Extensions' <see cref="MsalStorage"/>:
    /// the Secret Service keyring (libsecret) on Linux, the login keychain on macOS, a DPAPI-encrypted file
    /// on Windows. All records live in one secret, a JSON document <c>{"v":1,"records":[...]}</c>: a keyring
    /// item cannot be enumerated through <see cref="MsalStorage"/>, so one item per record would need a separate
    /// index that could disagree with the items; one item is written atomically by the secret service, and
    /// the document is parsed record by record so a damaged record does not hide the others. The store
    /// directory holds only a marker file (on Windows the encrypted data) and the lock file, never a secret.
    /// </summary>
    public sealed class KeychainCredentialStore : CredentialStoreBase
    {
        /// <summary>The name of the cache file inside the store directory.</summary>
        public const string CacheFileName = "credentials.cache";

        /// <summary>The libsecret schema name.</summary>
        public const string KeyringSchema = "io.mcpauth.credentials";

        /// <summary>The label of the keyring item (what a keyring manager shows).</summary>
        public const string KeyringLabel = "McpAuth credentials";

        /// <summary>The first keyring attribute; its value is the store format version.</summary>
        public static readonly KeyValuePair<string, string> KeyringVersionAttribute = new KeyValuePair<string, string>("McpAuthVersion", "1");

        /// <summary>The second keyring attribute, naming this store; find the item with <c>secret-tool search McpAuthStore credentials</c>.</summary>
        public static readonly KeyValuePair<string, string> KeyringStoreAttribute = new KeyValuePair<string, string>("McpAuthStore", "credentials");

        /// <summary>The macOS keychain service name.</summary>
        public const string MacService = "McpAuth";

        /// <summary>The macOS keychain account name.</summary>
        public const string MacAccount = "credentials";

        private readonly MsalStorage storage;
        private readonly string lockPath;
        private readonly TimeSpan lockTimeout;
        private bool verified;

        /// <summary>Initializes the store; the keychain is first touched (and checked) by the first operation.</summary>
        public KeychainCredentialStore(string directory, TimeSpan? lockTimeout = null, IClock? clock = null)
            : base(clock)
        {
            if (string.IsNullOrEmpty(directory))
            {
                throw new ArgumentException("The store directory must not be empty.", nameof(directory));
            }

            Directory = Path.GetFullPath(directory);
            CacheFilePath = Path.Combine(Directory, CacheFileName);
            lockPath = CacheFilePath + ".lock";
            this.lockTimeout = lockTimeout ?? CredentialStoreOptions.DefaultLockTimeout;

            StorageCreationProperties properties = new StorageCreationPropertiesBuilder(CacheFileName, Directory)
                .WithLinuxKeyring(KeyringSchema, MsalCacheHelper.LinuxKeyRingDefaultCollection, KeyringLabel, KeyringVersionAttribute, KeyringStoreAttribute)
                .WithMacKeyChain(MacService, MacAccount)
                .Build();
            try
            {
                storage = MsalStorage.Create(properties);
            }
            catch (PlatformNotSupportedException ex)
            {
                throw KeychainErrors.Map(ex, Location);
            }
        }

        /// <summary>Gets the store directory (marker and lock files; on Windows the encrypted file).</summary>
        public string Directory { get; }

        /// <summary>Gets the path of the cache file MSAL keeps next to the keychain item.</summary>
        public string CacheFilePath { get; }

        /// <inheritdoc/>
        public override string Location => $"the system keychain ({KeyringSchema}; {CacheFilePath})";

        /// <inheritdoc/>
        public override CredentialStoreKind Kind => CredentialStoreKind.Keychain;

        /// <inheritdoc/>
        public override string? LockDirectory => Directory;

        private protected override async Task<IDisposable> LockAsync(IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            if (UnixFileSystem.IsUnix)
            {
                UnixFileSystem.CreateOwnerOnlyDirectory(Directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(Directory);
            }

            IDisposable held = await CredentialStoreLock.AcquireAsync(lockPath, lockTimeout, callbacks, cancellationToken).ConfigureAwait(false);
            try
            {
                if (!verified)
                {
                    // Under the lock: VerifyPersistence writes and deletes one test item, which concurrent checks would share.
                    Verify();
                    callbacks.Verbose($"Credential store {Location}: the keychain is available.");
                    verified = true;
                }

                return held;
            }
            catch
            {
                held.Dispose();
                throw;
            }
        }

        private protected override byte[] ReadBytes()
        {
            byte[] data;
            try
            {
                data = Reconnecting(storage.ReadData);
            }
            catch (CryptographicException ex)
            {
                // Windows: the DPAPI file exists but does not decrypt (damaged, or another user's).
                throw CredentialBlob.Corrupted(Location, "the encrypted data does not decrypt", ex);
            }
            catch (FormatException ex)
            {
                // Linux: the keyring item holds base64 of the document; something else wrote this one.
                throw CredentialBlob.Corrupted(Location, "the keyring item is not in the format McpAuth writes", ex);
            }
            catch (Exception ex) when (!(ex is McpAuthException))
            {
                throw KeychainErrors.Map(ex, Location);
            }

            if (data.Length == 0)
            {
                // A locked keyring reads as empty without an error: make sure empty really means empty.
                Verify();
            }

            return data;
        }

        private protected override void WriteBytes(byte[] data)
        {
            try
            {
                Reconnecting(() =>
                {
                    storage.WriteData(data);
                    return true;
                });
            }
            catch (Exception ex) when (!(ex is McpAuthException))
            {
                throw KeychainErrors.Map(ex, Location);
            }
        }

        private protected override void Clear()
        {
            // A locked keyring would ignore the delete silently: check first.
            Verify();
            try
            {
                Reconnecting(() =>
                {
                    storage.Clear(ignoreExceptions: false);
                    return true;
                });
            }
            catch (Exception ex) when (!(ex is McpAuthException))
            {
                throw KeychainErrors.Map(ex, Location);
            }
        }

        /// <summary>
        /// Runs a keyring operation; when it fails on Linux, drops libsecret's cached connection to the Secret Service
        /// and tries once more. libsecret keeps one service proxy (and its session) per process; after the daemon
        /// restarts, that proxy talks to a daemon that no longer exists, and every call fails until the process ends,
        /// though the keyring and its data are intact. A failure that is not about the connection fails again the
        /// same way and is reported as it is.
        /// </summary>
        private static T Reconnecting<T>(Func<T> operation)
        {
            try
            {
                return operation();
            }
            catch (Exception ex) when (!(ex is McpAuthException || ex is CryptographicException || ex is FormatException) && LibSecret.TryDisconnect())
            {
                return operation();
            }
        }

        private void Verify()
        {
            try
            {
                Reconnecting(() =>
                {
                    storage.VerifyPersistence();
                    return true;
                });
            }
            catch (Exception ex) when (!(ex is McpAuthException))
            {
                throw KeychainErrors.Map(ex, Location);
            }
        }

        /// <summary>libsecret's own reset of its cached Secret Service connection.</summary>
        private static class LibSecret
        {
            private const string Library = "libsecret-1.so.0";

            /// <summary>Drops the cached connection (the next call makes a new one); false where there is no libsecret.</summary>
            public static bool TryDisconnect()
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    return false;
                }

                try
                {
                    secret_service_disconnect();
                    return true;
                }
                catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
                {
                    return false;
                }
            }

            [DllImport(Library)]
            private static extern void secret_service_disconnect();
        }
    }
}
