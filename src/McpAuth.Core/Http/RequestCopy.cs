using System;
using System.Collections.Generic;
using System.Net.Http;

namespace McpAuth.Core.Http
{
    /// <summary>What a fresh request message takes over from one that was sent (a sent HttpRequestMessage cannot be sent twice).</summary>
    internal static class RequestCopy
    {
        /// <summary>Copies the request headers (the Authorization header only when <paramref name="withAuthorization"/>) and the properties.</summary>
        public static void HeadersAndProperties(HttpRequestMessage from, HttpRequestMessage to, bool withAuthorization)
        {
            foreach (KeyValuePair<string, IEnumerable<string>> header in from.Headers)
            {
                if (withAuthorization || !string.Equals(header.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
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
