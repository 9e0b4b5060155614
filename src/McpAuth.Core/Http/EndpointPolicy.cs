using System;
using System.Net;

namespace McpAuth.Core.Http
{
    /// <summary>HTTPS for every endpoint that is not on the loopback interface.</summary>
    public static class EndpointPolicy
    {
        /// <summary>Returns true for 127.0.0.0/8, ::1 and the name localhost.</summary>
        public static bool IsLoopback(Uri uri)
        {
            if (uri is null)
            {
                throw new ArgumentNullException(nameof(uri));
            }

            if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            string host = uri.Host.TrimStart('[').TrimEnd(']');
            return IPAddress.TryParse(host, out IPAddress? address) && IPAddress.IsLoopback(address);
        }

        /// <summary>Returns true when the URI is absolute, http(s), and https unless loopback.</summary>
        public static bool IsAllowed(Uri uri)
        {
            if (uri is null || !uri.IsAbsoluteUri)
            {
                return false;
            }

            if (string.Equals(uri.Scheme, "https", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            return string.Equals(uri.Scheme, "http", StringComparison.OrdinalIgnoreCase) && IsLoopback(uri);
        }

        /// <summary>Throws <c>InsecureEndpoint</c> unless <see cref="IsAllowed"/>.</summary>
        /// <param name="uri">The endpoint.</param>
        /// <param name="role">What the endpoint is for, for the message ("authorization server", "token endpoint").</param>
        public static void Require(Uri uri, string role)
        {
            if (!IsAllowed(uri))
            {
                throw new McpAuthException(
                    ErrorIds.InsecureEndpoint,
                    McpErrorKind.SecurityError,
                    $"Refusing to use the {role} {uri}: every endpoint that is not on this machine's loopback interface must use https.",
                    uri);
            }
        }
    }
}
