using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

using McpAuth.Core.Http;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// An OAuth error response (RFC 6749 §5.2, also used by RFC 7591 and RFC 8628): <c>error</c> and an
    /// optional <c>error_description</c>, both cleaned before anyone shows them.
    /// </summary>
    internal sealed class OAuthErrorResponse
    {
        /// <summary>The longest error description shown to a user.</summary>
        internal const int MaxDescriptionLength = 300;

        private const int MaxErrorCodeLength = 64;

        private OAuthErrorResponse(string error, string? description)
        {
            Error = error;
            Description = description;
        }

        /// <summary>Gets the error code, reduced to the RFC 6749 character set.</summary>
        public string Error { get; }

        /// <summary>Gets the cleaned description, or null.</summary>
        public string? Description { get; }

        /// <summary>
        /// Reads <c>error</c> and <c>error_description</c> from a JSON object. Any value we sent (a secret, a
        /// code, a refresh token) that the server echoes back is masked.
        /// </summary>
        public static OAuthErrorResponse? TryRead(JsonElement root, IReadOnlyCollection<string> sentValues)
        {
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("error", out JsonElement error)
                || error.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            string code = CleanCode(error.GetString() ?? string.Empty);
            if (code.Length == 0)
            {
                return null;
            }

            string? description = null;
            if (root.TryGetProperty("error_description", out JsonElement desc) && desc.ValueKind == JsonValueKind.String)
            {
                description = ServerText.Sanitize(desc.GetString(), MaxDescriptionLength, sentValues);
                if (description.Length == 0)
                {
                    description = null;
                }
            }

            return new OAuthErrorResponse(ServerText.Mask(code, sentValues), description);
        }

        /// <summary>Returns "error" or "error: description", for messages.</summary>
        public string Describe() => Description is null ? Error : Error + ": " + Description;


        private static string CleanCode(string code)
        {
            // RFC 6749 §5.2: error = 1*( %x20-21 / %x23-5B / %x5D-7E ).
            var builder = new StringBuilder();
            foreach (char c in code)
            {
                if (c >= 0x20 && c <= 0x7E && c != '"' && c != '\\')
                {
                    builder.Append(c);
                }

                if (builder.Length >= MaxErrorCodeLength)
                {
                    break;
                }
            }

            return builder.ToString().Trim();
        }
    }
}
