using System;
using System.Runtime.InteropServices;

namespace McpAuth.Core.Storage
{
    /// <summary>
    /// Turns what MSAL Extensions throws for the keychain into <see cref="ErrorIds.KeychainUnavailable"/> or
    /// <see cref="ErrorIds.KeychainLocked"/>. The useful text is the innermost exception's (libsecret's
    /// GError, the OS status); it names the failure, never a secret.
    /// </summary>
    internal static class KeychainErrors
    {
        public const string LinuxInstallRemedy = "apt-get install libsecret-1-0 gnome-keyring";

        // macOS errSecInteractionNotAllowed: the keychain is locked and no UI may unlock it. MSAL's
        // InteropException that carries the status is internal, so its text is what we can match.
        private static readonly string[] LockedMarkers = { "locked", "-25308", "interaction is not allowed" };

        public static CredentialStoreException Map(Exception exception, string location)
        {
            Exception innermost = exception;
            bool libraryMissing = false;
            bool locked = false;
            for (Exception? e = exception; e is not null; e = e.InnerException)
            {
                innermost = e;
                libraryMissing |= e is DllNotFoundException || e is EntryPointNotFoundException;
                foreach (string marker in LockedMarkers)
                {
                    locked |= e.Message.IndexOf(marker, StringComparison.OrdinalIgnoreCase) >= 0;
                }
            }

            string detail = innermost.Message;

            if (libraryMissing)
            {
                return new CredentialStoreException(
                    ErrorIds.KeychainUnavailable,
                    McpErrorKind.ResourceUnavailable,
                    $"The system keyring library is not installed ({detail}). Install libsecret and a Secret Service "
                    + $"such as gnome-keyring ({LinuxInstallRemedy}), or opt in to plaintext storage.",
                    location,
                    LinuxInstallRemedy,
                    exception);
            }

            if (locked)
            {
                return new CredentialStoreException(
                    ErrorIds.KeychainLocked,
                    McpErrorKind.ResourceUnavailable,
                    $"The keychain is locked ({detail}). Unlock it (log in to the desktop session, or unlock the "
                    + "default keyring collection) and retry.",
                    location,
                    RuntimeInformation.IsOSPlatform(OSPlatform.OSX)
                        ? "Unlock the login keychain (security unlock-keychain), then retry."
                        : "Unlock the default keyring collection (for example with seahorse, or by starting gnome-keyring-daemon --unlock), then retry.",
                    exception);
            }

            return new CredentialStoreException(
                ErrorIds.KeychainUnavailable,
                McpErrorKind.ResourceUnavailable,
                $"The system keychain cannot be used ({detail}). On Linux a Secret Service (gnome-keyring or "
                + "KeePassXC) must run on the D-Bus session bus (DBUS_SESSION_BUS_ADDRESS); over SSH or in a "
                + "container there is usually none. Start one, or use memory or plaintext storage "
                + $"({CredentialStoreFactory.StoreKindVariable}=memory, or {CredentialStoreFactory.StoreKindVariable}=plaintext "
                + $"with {CredentialStoreFactory.AllowPlaintextVariable}=1).",
                location,
                $"Start a Secret Service, or set {CredentialStoreFactory.StoreKindVariable}=memory for this session.",
                exception);
        }
    }
}
