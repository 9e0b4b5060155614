using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// A lock other processes on this machine see, one file per name beside the store's own lock, held for as
    /// long as one piece of work takes (a whole sign-in, one registration) without blocking anyone who only
    /// reads or writes the store. The file is never deleted, so every process locks the same file (see
    /// <see cref="CredentialStoreLock"/> for the race deleting invites); the operating system releases the lock
    /// when its holder exits, also when it is killed.
    /// </summary>
    internal static class NamedLockFile
    {
        /// <summary>Returns a lock file name for <paramref name="purpose"/> and <paramref name="subject"/>, safe for any file system.</summary>
        public static string Name(string purpose, string subject)
        {
            using SHA256 sha = SHA256.Create();
            byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(subject));
            return purpose + "-" + BitConverter.ToString(hash, 0, 12).Replace("-", string.Empty).ToLowerInvariant() + ".lock";
        }

        /// <summary>Takes the lock when no other holder has it; null when one does. Dispose the result to release it.</summary>
        public static IDisposable? TryAcquire(string directory, string name)
        {
            if (UnixFileSystem.IsUnix)
            {
                UnixFileSystem.CreateOwnerOnlyDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory);
            }

            try
            {
                // FileShare.None is an exclusive flock on Unix (also against this process's other handles) and a share lock on Windows.
                return new FileStream(Path.Combine(directory, name), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
