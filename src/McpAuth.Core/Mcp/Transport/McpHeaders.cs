using System;
using System.Text;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// The HTTP headers of the streamable HTTP transport, and the value encoding of MCP 2026-07-28: a value
    /// that is not plain visible ASCII (or that has leading or trailing whitespace, or looks like the
    /// sentinel itself) travels as <c>=?base64?&lt;UTF-8 in Base64&gt;?=</c>.
    /// </summary>
    internal static class McpHeaders
    {
        public const string ProtocolVersion = "MCP-Protocol-Version";
        public const string SessionId = "Mcp-Session-Id";
        public const string Method = "Mcp-Method";
        public const string Name = "Mcp-Name";
        public const string ParamPrefix = "Mcp-Param-";
        public const string LastEventId = "Last-Event-ID";
        public const string JsonMediaType = "application/json";
        public const string SseMediaType = "text/event-stream";

        private const string SentinelPrefix = "=?base64?";
        private const string SentinelSuffix = "?=";

        /// <summary>Encodes a value for an <c>Mcp-Name</c> or <c>Mcp-Param-*</c> header.</summary>
        public static string EncodeValue(string value)
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            return IsPlain(value) ? value : SentinelPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + SentinelSuffix;
        }

        /// <summary>True for a value that may travel as it is: 0x20-0x7E only, no edge whitespace, not sentinel-shaped.</summary>
        public static bool IsPlain(string value)
        {
            foreach (char c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    return false;
                }
            }

            if (value.Length > 0 && (value[0] == ' ' || value[value.Length - 1] == ' '))
            {
                return false;
            }

            return !(value.StartsWith(SentinelPrefix, StringComparison.Ordinal) && value.EndsWith(SentinelSuffix, StringComparison.Ordinal));
        }

        /// <summary>True for an RFC 9110 token (<c>1*tchar</c>), the syntax of a header field name.</summary>
        public static bool IsToken(string value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return false;
            }

            foreach (char c in value)
            {
                bool tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".IndexOf(c) >= 0;
                if (!tchar)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
