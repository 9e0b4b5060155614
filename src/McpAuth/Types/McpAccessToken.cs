using System;
using System.Linq;
using System.Security;
using McpAuth.Core.Tokens;

namespace McpAuth
{
    /// <summary>
    /// An access token for an MCP server, as Get-McpToken returns it. The token is a SecureString, ready for
    /// Invoke-RestMethod -Authentication Bearer -Token $t.Token; it never appears in ToString or formatting.
    /// A DPoP-bound token (TokenType DPoP, IsDPoPBound) works only with a DPoP proof signed by the key stored with
    /// the credential, which never leaves McpAuth: the MCP cmdlets make the proofs.
    /// </summary>
    public sealed class McpAccessToken
    {
        internal McpAccessToken(Uri serverUri, TokenSet tokens)
        {
            ServerUri = serverUri;
            Token = SecureStrings.ToSecureString(tokens.AccessToken);
            TokenType = tokens.TokenType;
            IsDPoPBound = tokens.IsDpop;
            ExpiresOn = tokens.ExpiresAt;
            Scopes = tokens.Scopes.ToArray();
            Issuer = tokens.Issuer;
            Resource = tokens.Resource.OriginalString;
        }

        /// <summary>Gets the MCP server the token is for.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the access token as a SecureString.</summary>
        public SecureString Token { get; }

        /// <summary>Gets the token type: Bearer, or DPoP for a DPoP-bound token.</summary>
        public string TokenType { get; }

        /// <summary>Gets a value indicating whether the token is DPoP-bound (RFC 9449): usable only with proofs signed by the credential's key.</summary>
        public bool IsDPoPBound { get; }

        /// <summary>Gets when the token expires, when known.</summary>
        public DateTimeOffset? ExpiresOn { get; }

        /// <summary>Gets the token's scopes.</summary>
        public string[] Scopes { get; }

        /// <summary>Gets the authorization server that issued the token.</summary>
        public Uri Issuer { get; }

        /// <summary>Gets the RFC 8707 resource the token is for.</summary>
        public string Resource { get; }

        public override string ToString() => $"{TokenType} token for {Resource} (expires {ExpiresOn:u}){(IsDPoPBound ? ", DPoP-bound" : string.Empty)}";
    }
}
