using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// The few POSIX calls netstandard2.0 lacks: create a file with mode 0600 before any content is
    /// written, create a directory with mode 0700 (and make a folder others could write to private, or refuse it),
    /// and rename over an existing file atomically.
    /// Callers check <see cref="IsUnix"/> first.
    /// </summary>
    internal static class UnixFileSystem
    {
        public const int OwnerReadWrite = 0x180; // 0600

        public const int OwnerAll = 0x1C0; // 0700

        // File.GetUnixFileMode (.NET 7+), which netstandard2.0 cannot name; null on older runtimes.
        private static readonly System.Reflection.MethodInfo? GetUnixFileMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });

        public static bool IsUnix =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

        /// <summary>Creates a new file (it must not exist) with mode 0600 and opens it for writing.</summary>
        public static FileStream CreateOwnerOnly(string path)
        {
            bool mac = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
            const int O_WRONLY = 0x1;
            int flags = O_WRONLY | (mac ? 0x200 | 0x800 | 0x1000000 : 0x40 | 0x80 | 0x80000); // O_CREAT | O_EXCL | O_CLOEXEC
            int fd = NativeMethods.open(path, flags, OwnerReadWrite);
            if (fd < 0)
            {
                throw Failure("create", path);
            }

            var handle = new SafeFileHandle(new IntPtr(fd), ownsHandle: true);
            try
            {
                // The mode given to open is filtered by the umask; set it exactly, still before any content.
                if (NativeMethods.fchmod(fd, OwnerReadWrite) != 0)
                {
                    throw Failure("set permissions on", path);
                }

                return new FileStream(handle, FileAccess.Write);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Creates <paramref name="path"/> (and its parents) if missing; the directory itself gets mode 0700. A
        /// directory that exists and that other users can write to (a store folder made 0777 by hand or by a
        /// careless tool: anyone could replace or plant files in it) is made 0700 when this user owns it, and
        /// refused with <c>InsecureCredentialStore</c> when it cannot be.
        /// </summary>
        public static void CreateOwnerOnlyDirectory(string path)
        {
            if (Directory.Exists(path))
            {
                MakePrivate(path);
                return;
            }

            string? parent = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(parent))
            {
                Directory.CreateDirectory(parent);
            }

            if (NativeMethods.mkdir(path, OwnerAll) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (!Directory.Exists(path))
                {
                    throw new IOException($"Could not create the directory {path}: {new Win32Exception(errno).Message}.");
                }
            }
        }

        private static void MakePrivate(string path)
        {
            const int GroupOrOtherWrite = 0x12; // 0022
            int? mode = ModeOf(path);
            if (mode is int known && (known & GroupOrOtherWrite) == 0)
            {
                return;
            }

            if (NativeMethods.chmod(path, OwnerAll) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                string shown = mode is int m ? " (mode " + Convert.ToString(m & 0xFFF, 8) + ")" : string.Empty;
                throw new CredentialStoreException(
                    ErrorIds.InsecureCredentialStore,
                    McpErrorKind.SecurityError,
                    $"The credential store folder {path} can be written by other users{shown} and could not be made private ({new Win32Exception(errno).Message}); it is not used.",
                    path,
                    "Use a folder only you own (chmod 700), or choose another store folder.");
            }
        }

        /// <summary>The permission bits of a file or folder, where the runtime can tell (.NET 7 and later); else null.</summary>
        private static int? ModeOf(string path)
        {
            try
            {
                return GetUnixFileMode is null ? null : Convert.ToInt32(GetUnixFileMode.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (System.Reflection.TargetInvocationException)
            {
                return null;
            }
        }

        /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, replacing it atomically.</summary>
        public static void Rename(string source, string destination)
        {
            if (NativeMethods.rename(source, destination) != 0)
            {
                throw Failure("rename", source);
            }
        }

        private static IOException Failure(string what, string path)
        {
            int errno = Marshal.GetLastWin32Error();
            return new IOException($"Could not {what} {path}: {new Win32Exception(errno).Message} (errno {errno}).");
        }

        private static class NativeMethods
        {
            // open(2) is variadic; the mode is passed as a third int, and fchmod fixes it in any case.
            [DllImport("libc", SetLastError = true)]
            public static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int fchmod(int fd, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int chmod([MarshalAs(UnmanagedType.LPStr)] string path, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int mkdir([MarshalAs(UnmanagedType.LPStr)] string path, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int rename([MarshalAs(UnmanagedType.LPStr)] string oldpath, [MarshalAs(UnmanagedType.LPStr)] string newpath);
        }
    }
}
