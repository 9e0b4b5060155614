using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;

namespace McpAuth.Core.Http
{
    /// <summary>The HTTP/1.1 wire format of <see cref="DirectHttpHandler"/>: a request written out, a response head turned into a response.</summary>
    internal static class Http1Request
    {
        // The calling thread's buffers: a request is written out whole before the thread sends another.
        [ThreadStatic]
        private static MemoryStream? bodyScratch;

        [ThreadStatic]
        private static MemoryStream? wireScratch;

        [ThreadStatic]
        private static StringBuilder? headScratch;

        [ThreadStatic]
        private static char[]? charScratch;

        /// <summary>Writes <paramref name="request"/> out, head and body as one block, into this thread's buffer (valid until its next request).</summary>
        /// <exception cref="HttpRequestException">A header holds a character HTTP/1.1 cannot carry.</exception>
        public static MemoryStream Serialize(HttpRequestMessage request, Uri uri)
        {
            MemoryStream output = wireScratch ??= new MemoryStream(1024);
            output.SetLength(0);
            MemoryStream? body = null;
            if (request.Content is HttpContent content)
            {
                body = bodyScratch ??= new MemoryStream(1024);
                body.SetLength(0);
                content.CopyToAsync(body).GetAwaiter().GetResult();
            }

            StringBuilder head = headScratch ??= new StringBuilder(512);
            head.Clear();
            head.Append(request.Method.Method).Append(' ').Append(uri.PathAndQuery).Append(" HTTP/1.1\r\nHost: ");
            head.Append(request.Headers.Host ?? uri.GetComponents(UriComponents.HostAndPort, UriFormat.UriEscaped)).Append("\r\n");
            AppendFields(head, request.Headers);
            if (request.Content is not null)
            {
                AppendFields(head, request.Content.Headers);
            }

            if (body is not null)
            {
                head.Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            }
            else if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put || request.Method.Method == "PATCH")
            {
                head.Append("Content-Length: 0\r\n");
            }

            head.Append("\r\n");

            // Straight into the buffer, without a string and a byte array for each request. Every character is
            // ASCII: the method and URL are, and AppendFields refuses any other in a field.
            char[] chars = charScratch is { } scratch && scratch.Length >= head.Length ? scratch : (charScratch = new char[Math.Max(head.Length, 1024)]);
            head.CopyTo(0, chars, 0, head.Length);
            output.SetLength(head.Length);
            Encoding.ASCII.GetBytes(chars, 0, head.Length, output.GetBuffer(), 0);
            output.Position = head.Length;
            if (body is not null)
            {
                output.Write(body.GetBuffer(), 0, (int)body.Length);
            }

            return output;
        }

        /// <summary>Makes the response for <paramref name="head"/>, its body still on <paramref name="connection"/>.</summary>
        /// <param name="request">The request it answers.</param>
        /// <param name="head">The response head.</param>
        /// <param name="connection">The connection the body comes on.</param>
        /// <param name="release">Takes the connection back after the body; null when the request asked to close it.</param>
        /// <exception cref="HttpRequestException">The body's framing is invalid.</exception>
        public static HttpResponseMessage Response(HttpRequestMessage request, Http1ResponseHead head, Http1Connection connection, Action<Http1Connection>? release)
        {
            Http1Framing framing;
            long length = 0;
            bool chunkedAndLength = false;
            if (request.Method == HttpMethod.Head || head.StatusCode == 204 || head.StatusCode == 304)
            {
                framing = Http1Framing.None;
            }
            else if (head.Fields.Exists(f => string.Equals(f.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
            {
                framing = LastCodingIsChunked(head) ? Http1Framing.Chunked : Http1Framing.UntilClose;
                chunkedAndLength = head.Fields.Exists(f => string.Equals(f.Key, "Content-Length", StringComparison.OrdinalIgnoreCase));
            }
            else if (ContentLength(head) is long declared)
            {
                framing = Http1Framing.Length;
                length = declared;
            }
            else
            {
                framing = Http1Framing.UntilClose;
            }

            bool reusable = head.Version == HttpVersion.Version11 && !head.Lists("Connection", "close") && framing != Http1Framing.UntilClose && !chunkedAndLength;
            bool eventStream = false;
            foreach (string type in head.Values("Content-Type"))
            {
                eventStream |= type.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
            }

            if (reusable && head.KeepIdleFor() is TimeSpan announced)
            {
                connection.Announced = announced;
            }

            var body = new Http1Body(connection, framing, length, eventStream, reusable ? release : null);
            var response = new HttpResponseMessage((HttpStatusCode)head.StatusCode)
            {
                Version = head.Version,
                ReasonPhrase = head.Reason,
                RequestMessage = request,
                Content = new Http1Content(body),
            };
            foreach (KeyValuePair<string, string> field in head.Fields)
            {
                if (framing != Http1Framing.Length && string.Equals(field.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!response.Headers.TryAddWithoutValidation(field.Key, field.Value))
                {
                    response.Content.Headers.TryAddWithoutValidation(field.Key, field.Value);
                }
            }

            return response;
        }

        private static void AppendFields(StringBuilder head, HttpHeaders fields)
        {
            foreach (KeyValuePair<string, IEnumerable<string>> field in fields)
            {
                string name = field.Key;
                if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(name, "Expect", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                string separator = string.Equals(name, "User-Agent", StringComparison.OrdinalIgnoreCase) ? " " : ", ";
                head.Append(name).Append(": ");
                bool first = true;
                foreach (string value in field.Value)
                {
                    foreach (char c in value)
                    {
                        if ((c < ' ' && c != '\t') || c > '~')
                        {
                            throw new HttpRequestException($"The request header '{name}' holds a character HTTP/1.1 cannot carry (a line break, a control character or non-ASCII text); it was not sent.");
                        }
                    }

                    if (!first)
                    {
                        head.Append(separator);
                    }

                    head.Append(value);
                    first = false;
                }

                head.Append("\r\n");
            }
        }

        private static bool LastCodingIsChunked(Http1ResponseHead head)
        {
            string last = string.Empty;
            foreach (string coding in head.Items("Transfer-Encoding"))
            {
                if (coding.Length > 0)
                {
                    last = coding;
                }
            }

            return string.Equals(last, "chunked", StringComparison.OrdinalIgnoreCase);
        }

        private static long? ContentLength(Http1ResponseHead head)
        {
            long? length = null;
            foreach (string digits in head.Items("Content-Length"))
            {
                if (digits.Length == 0 || digits.Length > 18 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) || (length is long seen && seen != parsed))
                {
                    throw new HttpRequestException("The server's response is not valid HTTP/1.1 (its Content-Length).");
                }

                length = parsed;
            }

            return length;
        }
    }
}
