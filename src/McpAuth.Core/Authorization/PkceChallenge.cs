using System;
using System.Security.Cryptography;
using System.Text;

namespace McpAuth.Core.Authorization
{
    /// <summary>
    /// A PKCE pair (RFC 7636): a high-entropy code verifier from the system CSPRNG, and its S256 challenge,
    /// <c>BASE64URL(SHA256(ASCII(verifier)))</c>. The verifier is a <see cref="Secret"/>; only the challenge goes in the
    /// authorization URL.
    /// </summary>
    public sealed class PkceChallenge
    {
        /// <summary>The only method this client uses.</summary>
        public const string Method = "S256";

        /// <summary>The shortest verifier RFC 7636 allows.</summary>
        public const int MinVerifierLength = 43;

        /// <summary>The longest verifier RFC 7636 allows.</summary>
        public const int MaxVerifierLength = 128;

        private PkceChallenge(Secret verifier, string challenge)
        {
            Verifier = verifier;
            Challenge = challenge;
        }

        /// <summary>Gets the code verifier, sent only to the token endpoint.</summary>
        public Secret Verifier { get; }

        /// <summary>Gets the S256 code challenge, sent in the authorization request.</summary>
        public string Challenge { get; }

        /// <summary>Creates a fresh pair. The verifier is base64url of random bytes, so each character carries 6 bits.</summary>
        /// <param name="verifierLength">43 to 128 characters; the default 64 carries 384 bits.</param>
        public static PkceChallenge Create(int verifierLength = 64)
        {
            if (verifierLength < MinVerifierLength || verifierLength > MaxVerifierLength)
            {
                throw new ArgumentOutOfRangeException(nameof(verifierLength), verifierLength, $"A PKCE verifier has {MinVerifierLength} to {MaxVerifierLength} characters.");
            }

            // 3 bytes make 4 characters; take a few spare bytes and cut to length.
            string verifier = Base64Url.RandomString(((verifierLength + 3) / 4) * 3).Substring(0, verifierLength);
            return FromVerifier(new Secret(verifier));
        }

        /// <summary>Computes the challenge for a given verifier (for tests and known-answer checks).</summary>
        /// <exception cref="ArgumentException">The verifier's length or characters are outside RFC 7636.</exception>
        public static PkceChallenge FromVerifier(Secret verifier)
        {
            if (verifier is null)
            {
                throw new ArgumentNullException(nameof(verifier));
            }

            string value = verifier.Reveal();
            if (value.Length < MinVerifierLength || value.Length > MaxVerifierLength)
            {
                throw new ArgumentException($"A PKCE verifier has {MinVerifierLength} to {MaxVerifierLength} characters.", nameof(verifier));
            }

            foreach (char c in value)
            {
                bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
                if (!unreserved)
                {
                    throw new ArgumentException("A PKCE verifier may contain only A-Z, a-z, 0-9, '-', '.', '_' and '~'.", nameof(verifier));
                }
            }

            byte[] hash;
            using (SHA256 sha = SHA256.Create())
            {
                hash = sha.ComputeHash(Encoding.ASCII.GetBytes(value));
            }

            return new PkceChallenge(verifier, Base64Url.Encode(hash));
        }
    }
}
