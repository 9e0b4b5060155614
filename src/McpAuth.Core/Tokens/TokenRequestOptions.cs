using System;
using System.Collections.Concurrent;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// How one credential's token requests are made, beyond the grant itself: the DPoP key that proves
    /// possession on each of them (RFC 9449 §5), the nonces servers handed out, and the RFC 8707
    /// <c>resource</c> the server's settings send (the discovered one, another, or none).
    /// </summary>
    public sealed class TokenRequestOptions
    {
        internal TokenRequestOptions(DpopKey? dpop, ServerSettings? settings, DpopNonces? nonces)
        {
            Dpop = dpop;
            Settings = settings ?? ServerSettings.None;
            Nonces = nonces ?? new DpopNonces();
        }

        /// <summary>Gets the options of a bearer credential with default settings.</summary>
        public static TokenRequestOptions Default => new TokenRequestOptions(null, null, null);

        /// <summary>Gets the server settings (the <c>resource</c> to send).</summary>
        public ServerSettings Settings { get; }

        /// <summary>Gets the DPoP key; null sends no proofs.</summary>
        internal DpopKey? Dpop { get; }

        /// <summary>Gets the nonces servers gave (RFC 9449 §8, §9).</summary>
        internal DpopNonces Nonces { get; }
    }

    /// <summary>
    /// The DPoP nonces servers handed out (RFC 9449 §8 and §9), per origin: the newest is sent with the next
    /// proof to that server, so a server that requires one costs a retry once, not on every request.
    /// </summary>
    internal sealed class DpopNonces
    {
        private readonly ConcurrentDictionary<string, string> nonces = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Returns the newest nonce <paramref name="server"/>'s origin gave, or null.</summary>
        public string? For(Uri server) => nonces.TryGetValue(server.GetLeftPart(UriPartial.Authority), out string? nonce) ? nonce : null;

        /// <summary>Remembers a nonce <paramref name="server"/>'s origin gave; an empty or absent one changes nothing.</summary>
        public void Remember(Uri server, string? nonce)
        {
            if (!string.IsNullOrEmpty(nonce))
            {
                nonces[server.GetLeftPart(UriPartial.Authority)] = nonce!;
            }
        }
    }
}
