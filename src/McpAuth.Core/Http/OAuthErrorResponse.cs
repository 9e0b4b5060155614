using System.Text;
using System.Text.Json.Serialization;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// An OAuth error response (RFC 6749 §5.2, also used by RFC 7591 and RFC 8628): <c>error</c> and an
    /// optional <c>error_description</c>, both cleaned before anyone shows them. Any secret of the current
    /// operation that the server echoes back is masked (<see cref="ServerText"/>).
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

        /// <summary>Reads <c>error</c> and <c>error_description</c> from a response body; null when it carries no error.</summary>
        public static OAuthErrorResponse? TryRead(OAuthHttpResponse response)
        {
            Body? body = response.Read(OAuthJsonContext.Default.Body);
            string code = CleanCode(body?.Error ?? string.Empty);
            if (code.Length == 0)
            {
                return null;
            }

            string description = ServerText.Sanitize(body!.ErrorDescription, MaxDescriptionLength);
            return new OAuthErrorResponse(ServerText.Sanitize(code, MaxErrorCodeLength), description.Length == 0 ? null : description);
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

        /// <summary>The body as sent.</summary>
        internal sealed record Body
        {
            [JsonPropertyName("error")]
            public string? Error { get; init; }

            [JsonPropertyName("error_description")]
            public string? ErrorDescription { get; init; }
        }
    }

    /// <summary>The source-generated JSON contract of the OAuth error body.</summary>
    [JsonSerializable(typeof(OAuthErrorResponse.Body))]
    internal sealed partial class OAuthJsonContext : JsonSerializerContext
    {
    }
}
