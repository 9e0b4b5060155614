using System;
using System.Security.Cryptography;

namespace McpAuth.Core
{
    /// <summary>base64url without padding (RFC 4648 §5), and random strings built from it.</summary>
    internal static class Base64Url
    {
        public static string Encode(byte[] bytes) =>
            Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        /// <summary>Decodes base64url (padding optional); throws <see cref="FormatException"/> when it is not.</summary>
        public static byte[] Decode(string text)
        {
            string base64 = text.Replace('-', '+').Replace('_', '/');
            switch (base64.Length % 4)
            {
                case 2: base64 += "=="; break;
                case 3: base64 += "="; break;
                case 1: throw new FormatException("Not base64url.");
            }

            return Convert.FromBase64String(base64);
        }

        /// <summary>Returns a base64url string of <paramref name="byteCount"/> bytes from the system CSPRNG.</summary>
        public static string RandomString(int byteCount)
        {
            byte[] bytes = new byte[byteCount];
            using (RandomNumberGenerator rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(bytes);
            }

            return Encode(bytes);
        }
    }
}
