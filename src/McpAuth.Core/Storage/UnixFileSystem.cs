using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// The few POSIX calls netstandard2.0 lacks: create a file with mode 0600 before any content is
    /// written, create a directory with mode 0700, and rename over an existing file atomically.
    /// Callers check <see cref="IsUnix"/> first.
    /// </summary>
    internal static class UnixFileSystem
    {
        public const int OwnerReadWrite = 0x180; // 0600

        public const int OwnerAll = 0x1C0; // 0700

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

        /// <summary>Creates <paramref name="path"/> (and its parents) if missing; the directory itself gets mode 0700.</summary>
        public static void CreateOwnerOnlyDirectory(string path)
        {
            if (Directory.Exists(path))
            {
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
            public static extern int mkdir([MarshalAs(UnmanagedType.LPStr)] string path, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int rename([MarshalAs(UnmanagedType.LPStr)] string oldpath, [MarshalAs(UnmanagedType.LPStr)] string newpath);
        }
    }
}
