using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Authorization
{
    /// <summary>One connection's HTTP exchange: reading and judging its request (size limits, path, method, state) and writing the answer page.</summary>
    public sealed partial class LoopbackRedirectListener
    {
        private async Task<RequestOutcome> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            byte[] buffer = new byte[MaxRequestHeadBytes];
            int length = 0;
            int scanned = 0;
            int headEnd = -1;
            while (headEnd < 0)
            {
                if (length == buffer.Length)
                {
                    return RequestOutcome.Status(431, "Request Header Fields Too Large");
                }

                int read = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("The connection closed before a whole request arrived.");
                }

                length += read;
                for (; scanned < length; scanned++)
                {
                    if (buffer[scanned] == '\n' && ((scanned >= 1 && buffer[scanned - 1] == '\n') || (scanned >= 3 && buffer[scanned - 1] == '\r' && buffer[scanned - 2] == '\n')))
                    {
                        headEnd = scanned;
                        break;
                    }
                }

                int firstLineEnd = Array.IndexOf(buffer, (byte)'\n', 0, length);
                if ((firstLineEnd < 0 ? length : firstLineEnd) > MaxRequestLineBytes)
                {
                    return RequestOutcome.Status(414, "URI Too Long");
                }
            }

            int lineEnd = Array.IndexOf(buffer, (byte)'\n', 0, length);
            string requestLine = Encoding.ASCII.GetString(buffer, 0, lineEnd).TrimEnd('\r');
            string[] parts = requestLine.Split(' ');
            if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                return RequestOutcome.Status(400, "Bad Request");
            }

            string target = parts[1];
            if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(target, UriKind.Absolute, out Uri? absolute))
            {
                target = absolute.PathAndQuery;
            }

            if (!target.StartsWith("/", StringComparison.Ordinal) || target.StartsWith("//", StringComparison.Ordinal))
            {
                return RequestOutcome.Status(400, "Bad Request");
            }

            int question = target.IndexOf('?');
            string path = question < 0 ? target : target.Substring(0, question);
            if (!string.Equals(path, CallbackPath, StringComparison.Ordinal))
            {
                return RequestOutcome.Status(404, "Not Found");
            }

            if (!string.Equals(parts[0], "GET", StringComparison.Ordinal))
            {
                return RequestOutcome.Status(405, "Method Not Allowed");
            }

            List<KeyValuePair<string, string>> query = QueryString.Parse(question < 0 ? string.Empty : target.Substring(question));
            bool hasCode = QueryString.GetAll(query, "code").Count > 0;
            bool hasError = QueryString.GetAll(query, "error").Count > 0;
            if (!hasCode && !hasError)
            {
                return RequestOutcome.Status(400, "Bad Request");
            }

            if (!AuthorizationResponse.IsOwnState(QueryString.GetAll(query, "state"), expectedState))
            {
                return new RequestOutcome(400, "Bad Request", ForeignPage, null);
            }

            if (!Uri.TryCreate($"http://127.0.0.1:{Port}{target}", UriKind.Absolute, out Uri? callback))
            {
                return RequestOutcome.Status(400, "Bad Request");
            }

            return new RequestOutcome(200, "OK", hasError ? ErrorPage : DonePage, callback);
        }

        private static async Task WriteResponseAsync(NetworkStream stream, RequestOutcome outcome, CancellationToken cancellationToken)
        {
            byte[] body = Encoding.UTF8.GetBytes(outcome.Body);
            string head =
                $"HTTP/1.1 {outcome.StatusCode} {outcome.Reason}\r\n" +
                "Content-Type: text/html; charset=utf-8\r\n" +
                $"Content-Length: {body.Length}\r\n" +
                "Cache-Control: no-store\r\n" +
                "Referrer-Policy: no-referrer\r\n" +
                "X-Content-Type-Options: nosniff\r\n" +
                "Connection: close\r\n\r\n";
            byte[] headBytes = Encoding.ASCII.GetBytes(head);
            await stream.WriteAsync(headBytes, 0, headBytes.Length, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(body, 0, body.Length, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        private sealed class RequestOutcome
        {
            public RequestOutcome(int statusCode, string reason, string body, Uri? callback)
            {
                StatusCode = statusCode;
                Reason = reason;
                Body = body;
                Callback = callback;
            }

            public int StatusCode { get; }

            public string Reason { get; }

            public string Body { get; }

            public Uri? Callback { get; }

            public static RequestOutcome Status(int statusCode, string reason) =>
                new RequestOutcome(statusCode, reason, $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{statusCode}</title></head><body><p>{statusCode} {reason}</p></body></html>", null);
        }
    }
}
