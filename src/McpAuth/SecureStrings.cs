using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using McpAuth.Core;

namespace McpAuth
{
    /// <summary>Moves secrets between PowerShell's SecureString and the engine's Secret.</summary>
    internal static class SecureStrings
    {
        public static Secret? ToSecret(SecureString? value)
        {
            if (value is null)
            {
                return null;
            }

            IntPtr ptr = IntPtr.Zero;
            try
            {
                ptr = Marshal.SecureStringToGlobalAllocUnicode(value);
                return new Secret(Marshal.PtrToStringUni(ptr) ?? string.Empty);
            }
            finally
            {
                if (ptr != IntPtr.Zero)
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(ptr);
                }
            }
        }

        public static SecureString ToSecureString(Secret secret)
        {
            var result = new SecureString();
            foreach (char c in secret.Reveal())
            {
                result.AppendChar(c);
            }

            result.MakeReadOnly();
            return result;
        }

        /// <summary>Reads a PEM private key file into a Secret; the path, never the content, may appear in errors.</summary>
        public static Secret ReadKeyFile(string path)
        {
            try
            {
                return new Secret(File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new McpAuthException(ErrorIds.InvalidClientKey, McpErrorKind.InvalidArgument, $"Could not read the private key file '{path}': {ex.Message}", path, ex);
            }
        }
    }
}
