using System;

namespace McpAuth.Core
{
    /// <summary>
    /// A secret string (token, refresh token, client secret, code, verifier). It never shows its value in
    /// ToString, debugger displays or string interpolation; code that really needs the value calls
    /// <see cref="Reveal"/>, which makes every use easy to find. A secret created or revealed inside an engine
    /// operation is known to <see cref="OperationSecrets"/>, so text a peer echoes back is redacted of it.
    /// </summary>
    [System.Diagnostics.DebuggerDisplay("***")]
    public sealed class Secret : IEquatable<Secret>
    {
        private readonly string value;

        public Secret(string value)
        {
            this.value = value ?? throw new ArgumentNullException(nameof(value));
            OperationSecrets.Register(value);
        }

        /// <summary>Gets the length of the secret, which is safe to show.</summary>
        public int Length => value.Length;

        /// <summary>Returns the secret's value. Every call site is a place a secret leaves its box.</summary>
        public string Reveal()
        {
            OperationSecrets.Register(value);
            return value;
        }

        public override string ToString() => "***";

        public bool Equals(Secret? other) => other is not null && string.Equals(value, other.value, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is Secret s && Equals(s);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(value);

        public static Secret? FromNullable(string? value) => value is null ? null : new Secret(value);
    }
}
