using System;
using System.Collections.Generic;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// One challenge of a <c>WWW-Authenticate</c> header (RFC 9110 §11.2): a scheme, and either auth-params or a
    /// token68. Scheme and parameter names compare case-insensitively.
    /// </summary>
    public sealed class AuthChallenge
    {
        private static readonly IReadOnlyDictionary<string, string> NoParameters =
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Initializes a new instance of the <see cref="AuthChallenge"/> class.</summary>
        /// <param name="scheme">The auth-scheme, as the server spelled it.</param>
        /// <param name="parameters">The auth-params; keys should compare case-insensitively.</param>
        /// <param name="token68">The token68, for schemes that use one instead of parameters.</param>
        public AuthChallenge(string scheme, IReadOnlyDictionary<string, string>? parameters, string? token68)
        {
            Scheme = scheme ?? throw new ArgumentNullException(nameof(scheme));
            Parameters = parameters ?? NoParameters;
            Token68 = token68;
        }

        /// <summary>Gets the auth-scheme as the server spelled it (compare with <see cref="IsScheme"/>).</summary>
        public string Scheme { get; }

        /// <summary>Gets the auth-params; names compare case-insensitively, values are unquoted and unescaped.</summary>
        public IReadOnlyDictionary<string, string> Parameters { get; }

        /// <summary>Gets the token68, or null when the challenge has parameters (or nothing) instead.</summary>
        public string? Token68 { get; }

        /// <summary>Returns true when this challenge's scheme is <paramref name="scheme"/>, ignoring case.</summary>
        public bool IsScheme(string scheme) => string.Equals(Scheme, scheme, StringComparison.OrdinalIgnoreCase);

        /// <summary>Returns a parameter's value, or null when the challenge does not carry it.</summary>
        public string? GetParameter(string name) => Parameters.TryGetValue(name, out string? value) ? value : null;

        /// <inheritdoc/>
        public override string ToString() => Token68 is null
            ? $"{Scheme} ({Parameters.Count} parameters)"
            : $"{Scheme} (token68)";
    }
}
