using System;
using System.Diagnostics;
using System.IO;

namespace McpAuth.Testing.Hostile
{
    /// <summary>
    /// A small file system of its own (a 64 KiB tmpfs, mounted with mount(8); needs root) that a test can fill to
    /// the last byte, so the next write fails with ENOSPC as on a full disk. When the condition cannot be made
    /// here the constructor fails with a message saying why: such a test never passes or skips silently.
    /// </summary>
    public sealed class SmallDisk : IDisposable
    {
        private readonly string filler;

        /// <param name="path">Where to mount it (created when missing).</param>
        /// <param name="kilobytes">Its size.</param>
        /// <param name="mode">The mode of its root folder, in octal.</param>
        public SmallDisk(string path, int kilobytes = 64, string mode = "0700")
        {
            Path = path;
            Directory.CreateDirectory(path);
            (int code, string output) = Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k,mode={mode}", "tmpfs", path);
            if (code != 0)
            {
                throw new InvalidOperationException(
                    $"This test needs a full disk and makes one with a small tmpfs, but `mount -t tmpfs` was refused ({output.Trim()}). "
                    + "Run the tests as root (or in a container with CAP_SYS_ADMIN).");
            }

            filler = System.IO.Path.Combine(path, ".filler");
        }

        public string Path { get; }

        /// <summary>Fills the file system: afterwards every write that needs a block fails.</summary>
        public void Fill()
        {
            using var stream = new FileStream(filler, FileMode.Append, FileAccess.Write, FileShare.None, 1);
            byte[] block = new byte[1024];
            try
            {
                for (int i = 0; i < 1 << 20; i++)
                {
                    stream.Write(block, 0, block.Length);
                    stream.Flush();
                }
            }
            catch (IOException)
            {
                // Full.
            }

            // A few bytes may still fit in a partly used block: take them too.
            try
            {
                for (int i = 0; i < 4096; i++)
                {
                    stream.WriteByte(0);
                    stream.Flush();
                }
            }
            catch (IOException)
            {
            }
        }

        /// <summary>Mounts it again read-only: afterwards no write and no chmod succeeds, even for root.</summary>
        public void MakeReadOnly()
        {
            (int code, string output) = Run("mount", "-o", "remount,ro", Path);
            if (code != 0)
            {
                throw new InvalidOperationException($"`mount -o remount,ro {Path}` was refused ({output.Trim()}).");
            }
        }

        /// <summary>Frees the space <see cref="Fill"/> took.</summary>
        public void Free() => File.Delete(filler);

        public void Dispose()
        {
            Run("umount", "-l", Path);
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static (int Code, string Output) Run(string file, params string[] args)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in args)
            {
                info.ArgumentList.Add(a);
            }

            try
            {
                using Process p = Process.Start(info)!;
                string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                p.WaitForExit();
                return (p.ExitCode, output);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                return (-1, ex.Message);
            }
        }
    }
}
