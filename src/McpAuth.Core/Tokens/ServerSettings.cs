using System;
using System.Collections.Generic;
using System.Linq;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// What one server's authorization server needs that its metadata does not say, for identity providers as
    /// they are: another RFC 8707 <c>resource</c> or none (Microsoft Entra ID refuses it, AADSTS9010010), an
    /// issuer that differs from where the metadata is served, extra authorization parameters (<c>login_hint</c>,
    /// <c>audience</c>, <c>acr_values</c>), the authorization server to use when the server names several, and
    /// whether to use DPoP. Immutable; stored with the credential so later sign-ins and refreshes do the same.
    /// </summary>
    public sealed record ServerSettings
    {
        /// <summary>The authorization parameters McpAuth sets itself; extra parameters may not override them.</summary>
        public static readonly IReadOnlyList<string> ReservedParameters = new[]
        {
            "state", "code_challenge", "code_challenge_method", "redirect_uri", "response_type", "client_id", "scope", "resource", "prompt",
        };

        /// <summary>Gets the settings of a server that needs none.</summary>
        public static ServerSettings None { get; } = new ServerSettings();

        /// <summary>Gets the <c>resource</c> to send instead of the discovered one; null sends the discovered one.</summary>
        public string? Resource { get; init; }

        /// <summary>Gets a value indicating whether to send no <c>resource</c> anywhere.</summary>
        public bool OmitResource { get; init; }

        /// <summary>Gets an issuer to accept although the metadata was fetched for another one (stated in -Verbose each time).</summary>
        public string? TrustedIssuer { get; init; }

        /// <summary>Gets the authorization server to use among the ones the protected resource metadata names.</summary>
        public Uri? AuthorizationServer { get; init; }

        /// <summary>Gets extra parameters for the authorization request.</summary>
        public IReadOnlyDictionary<string, string>? AuthorizationParameters { get; init; }

        /// <summary>Gets whether to use DPoP: true always, false never, null when the servers say so.</summary>
        public bool? Dpop { get; init; }

        /// <summary>Gets a value indicating whether these are the defaults.</summary>
        public bool IsDefault => Resource is null && !OmitResource && TrustedIssuer is null && AuthorizationServer is null
            && (AuthorizationParameters is null || AuthorizationParameters.Count == 0) && Dpop is null;

        /// <summary>Returns the <c>resource</c> to send for <paramref name="discovered"/>: the override, none, or the discovered one.</summary>
        public string? ResourceParameter(string discovered) => OmitResource ? null : Resource ?? discovered;

        /// <summary>Throws <see cref="ArgumentException"/> when an extra authorization parameter would override one McpAuth sets.</summary>
        public static void CheckAuthorizationParameters(IReadOnlyDictionary<string, string>? parameters)
        {
            string? reserved = parameters?.Keys.FirstOrDefault(k => ReservedParameters.Contains(k, StringComparer.OrdinalIgnoreCase) || k.Length == 0);
            if (reserved is not null)
            {
                throw new ArgumentException(
                    $"The authorization parameter '{reserved}' cannot be set: McpAuth sets {string.Join(", ", ReservedParameters)} itself (state and PKCE protect the sign-in; scopes and the resource have settings of their own).",
                    nameof(parameters));
            }
        }

        internal StoredServerSettings? ToStored() => IsDefault ? null : new StoredServerSettings
        {
            Resource = Resource,
            OmitResource = OmitResource,
            TrustedIssuer = TrustedIssuer,
            AuthorizationServer = AuthorizationServer?.OriginalString,
            AuthorizationParameters = AuthorizationParameters is { Count: > 0 } p ? new Dictionary<string, string>(p.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal) : null,
            Dpop = Dpop,
        };

        internal static ServerSettings FromStored(StoredServerSettings? stored) => stored is null ? None : new ServerSettings
        {
            Resource = stored.Resource,
            OmitResource = stored.OmitResource,
            TrustedIssuer = stored.TrustedIssuer,
            AuthorizationServer = stored.AuthorizationServer is string s && Uri.TryCreate(s, UriKind.Absolute, out Uri? uri) ? uri : null,
            AuthorizationParameters = stored.AuthorizationParameters,
            Dpop = stored.Dpop,
        };
    }
}
