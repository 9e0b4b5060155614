using System;
using System.Collections.Generic;
using System.Net.Http;

namespace McpAuth.Core.Http
{
    /// <summary>What a fresh request message takes over from one that was sent (a sent HttpRequestMessage cannot be sent twice).</summary>
    internal static class RequestCopy
    {
        /// <summary>
        /// Copies the request headers and the properties; the credentials (Authorization, and the DPoP proof, which is
        /// made for one request) only when <paramref name="withCredentials"/>.
        /// </summary>
        public static void HeadersAndProperties(HttpRequestMessage from, HttpRequestMessage to, bool withCredentials)
        {
            foreach (KeyValuePair<string, IEnumerable<string>> header in from.Headers)
            {
                if (withCredentials || !(string.Equals(header.Key, "Authorization", StringComparison.OrdinalIgnoreCase) || string.Equals(header.Key, "DPoP", StringComparison.OrdinalIgnoreCase)))
                {
                    to.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            foreach (KeyValuePair<string, object?> property in from.Properties)
            {
                to.Properties[property.Key] = property.Value;
            }
        }
    }
}
