using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text;

namespace McpAuth.Core.Http
{
    /// <summary>A parsed response head: status, version and header fields in the order received.</summary>
    internal sealed class Http1ResponseHead
    {
        private static readonly Encoding Latin1 = Encoding.GetEncoding(28591);

        private Http1ResponseHead(Version version, int statusCode, string reason, List<KeyValuePair<string, string>> fields)
        {
            Version = version;
            StatusCode = statusCode;
            Reason = reason;
            Fields = fields;
        }

        public Version Version { get; }

        public int StatusCode { get; }

        public string Reason { get; }

        public List<KeyValuePair<string, string>> Fields { get; }

        /// <summary>Parses the head in <paramref name="bytes"/> (without the blank line that ends it).</summary>
        /// <exception cref="HttpRequestException">It is not a valid HTTP/1.x response head.</exception>
        public static Http1ResponseHead Parse(byte[] bytes, int offset, int count)
        {
            // Straight from the bytes, a string for each name and value and nothing else: the head of every answer
            // passes here, and decoding it whole, then splitting it into lines and the lines again, tripled that.
            int end = offset + count;
            int lineEnd = LineEnd(bytes, offset, end);
            string status = Latin1.GetString(bytes, offset, lineEnd - offset);
            if (status.Length < 12 || !status.StartsWith("HTTP/1.", StringComparison.Ordinal) || (status[7] != '0' && status[7] != '1') || status[8] != ' '
                || !char.IsDigit(status[9]) || !char.IsDigit(status[10]) || !char.IsDigit(status[11]) || (status.Length > 12 && status[12] != ' '))
            {
                throw Invalid("its status line");
            }

            int code = ((status[9] - '0') * 100) + ((status[10] - '0') * 10) + (status[11] - '0');
            if (code < 100)
            {
                throw Invalid("its status code");
            }

            var fields = new List<KeyValuePair<string, string>>(12);
            while (lineEnd < end)
            {
                int line = lineEnd + 2;
                lineEnd = LineEnd(bytes, line, end);
                int colon = Array.IndexOf(bytes, (byte)':', line, lineEnd - line);
                if (colon <= line || !IsToken(bytes, line, colon))
                {
                    throw Invalid("a header line");
                }

                int value = colon + 1;
                int valueEnd = lineEnd;
                while (value < valueEnd && (bytes[value] == ' ' || bytes[value] == '\t'))
                {
                    value++;
                }

                while (valueEnd > value && (bytes[valueEnd - 1] == ' ' || bytes[valueEnd - 1] == '\t'))
                {
                    valueEnd--;
                }

                for (int i = value; i < valueEnd; i++)
                {
                    if ((bytes[i] < ' ' && bytes[i] != '\t') || bytes[i] == 0x7f)
                    {
                        throw Invalid("a header value");
                    }
                }

                fields.Add(new KeyValuePair<string, string>(Latin1.GetString(bytes, line, colon - line), value == valueEnd ? string.Empty : Latin1.GetString(bytes, value, valueEnd - value)));
            }

            return new Http1ResponseHead(status[7] == '0' ? HttpVersion.Version10 : HttpVersion.Version11, code, status.Length > 13 ? status.Substring(13) : string.Empty, fields);
        }

        /// <summary>Gets the values of a field, in order.</summary>
        public IEnumerable<string> Values(string name)
        {
            foreach (KeyValuePair<string, string> field in Fields)
            {
                if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    yield return field.Value;
                }
            }
        }

        /// <summary>
        /// Returns how long a connection that carried this response may stay idle in the pool by what the server
        /// announces: a second less than the <c>timeout=</c> of its <c>Keep-Alive</c> field, so that the pool lets go of
        /// the connection before the server does, up to <see cref="McpHttpClientFactory.LongestAnnouncedKeepAlive"/>.
        /// Null when the response announces none (then the pool keeps what the server announced before, or its own
        /// <see cref="McpHttpClientFactory.PooledConnectionIdleTimeout"/>, below the 5 s that servers which say nothing,
        /// uvicorn for one, keep). Kept as long as announced, a script that calls every few seconds does not open a new
        /// connection (and over TLS, do a new handshake) for each call.
        /// </summary>
        public TimeSpan? KeepIdleFor()
        {
            foreach (string item in Items("Keep-Alive"))
            {
                string[] pair = item.Split('=');
                if (pair.Length == 2 && string.Equals(pair[0].Trim(' ', '\t'), "timeout", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(pair[1].Trim(' ', '\t', '"'), NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
                {
                    TimeSpan announced = TimeSpan.FromSeconds(Math.Max(seconds - 1, 0));
                    return announced < McpHttpClientFactory.LongestAnnouncedKeepAlive ? announced : McpHttpClientFactory.LongestAnnouncedKeepAlive;
                }
            }

            return null;
        }

        /// <summary>Gets the items of a comma-separated field over all its lines, in order, each trimmed (empty ones too).</summary>
        public IEnumerable<string> Items(string name)
        {
            foreach (string value in Values(name))
            {
                if (value.IndexOf(',') < 0)
                {
                    yield return value.Trim(' ', '\t'); // the usual one item: no array, and no copy when nothing is trimmed
                    continue;
                }

                foreach (string item in value.Split(','))
                {
                    yield return item.Trim(' ', '\t');
                }
            }
        }

        /// <summary>Returns true when a comma-separated field lists <paramref name="token"/>.</summary>
        public bool Lists(string name, string token)
        {
            foreach (string item in Items(name))
            {
                if (string.Equals(item, token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsToken(byte[] bytes, int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                byte c = bytes[i];
                if (c <= ' ' || c >= 0x7f || "()<>@,;:\\\"/[]?={}".IndexOf((char)c) >= 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Where the first CR LF in <paramref name="bytes"/> from <paramref name="from"/> up to <paramref name="end"/> starts, or <paramref name="end"/> when there is none.</summary>
        internal static int LineEnd(byte[] bytes, int from, int end)
        {
            for (int i = from; i + 1 < end; i++)
            {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n')
                {
                    return i;
                }
            }

            return end;
        }

        private static HttpRequestException Invalid(string part) => new HttpRequestException($"The server's response is not valid HTTP/1.1 ({part}).");
    }
}
