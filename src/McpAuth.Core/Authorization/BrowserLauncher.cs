using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace McpAuth.Core.Authorization
{
    /// <summary>Opens a URL in the system browser on Windows, macOS, Linux and WSL, without a shell.</summary>
    public static class BrowserLauncher
    {
        /// <summary>Tries to open the URL; returns false (never throws) when no browser could be started.</summary>
        public static bool TryOpen(Uri url, Action<string>? diagnostics = null)
        {
            if (url is null || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                return false;
            }

            if (string.Equals(Environment.GetEnvironmentVariable("MCPAUTH_NO_BROWSER"), "1", StringComparison.Ordinal))
            {
                diagnostics?.Invoke("MCPAUTH_NO_BROWSER=1: not opening a browser.");
                return false;
            }

            string target = url.AbsoluteUri;
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    return Start(new ProcessStartInfo(target) { UseShellExecute = true }, diagnostics);
                }

                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
                {
                    return Start(new ProcessStartInfo("open", Quote(target)) { UseShellExecute = false }, diagnostics);
                }

                if (IsWsl())
                {
                    // wslview (wslu) opens the Windows browser; rundll32 via interop is the fallback.
                    return Start(new ProcessStartInfo("wslview", Quote(target)) { UseShellExecute = false }, diagnostics)
                        || Start(new ProcessStartInfo("rundll32.exe", "url.dll,FileProtocolHandler " + Quote(target)) { UseShellExecute = false }, diagnostics);
                }

                if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
                {
                    diagnostics?.Invoke("No graphical display (DISPLAY/WAYLAND_DISPLAY unset): not opening a browser.");
                    return false;
                }

                return Start(new ProcessStartInfo("xdg-open", Quote(target)) { UseShellExecute = false }, diagnostics);
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is System.ComponentModel.Win32Exception || ex is PlatformNotSupportedException)
            {
                diagnostics?.Invoke("Could not open a browser: " + ex.Message);
                return false;
            }
        }

        private static bool Start(ProcessStartInfo info, Action<string>? diagnostics)
        {
            try
            {
                info.RedirectStandardError = !info.UseShellExecute;
                info.RedirectStandardOutput = !info.UseShellExecute;
                using Process? p = Process.Start(info);
                return p is not null;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                diagnostics?.Invoke($"Could not start {info.FileName}: {ex.Message}");
                return false;
            }
        }

        private static string Quote(string s) => "\"" + s.Replace("\"", "%22") + "\"";

        private static bool IsWsl()
        {
            try
            {
                return RuntimeInformation.IsOSPlatform(OSPlatform.Linux)
                    && File.Exists("/proc/version")
                    && File.ReadAllText("/proc/version").IndexOf("microsoft", StringComparison.OrdinalIgnoreCase) >= 0;
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
