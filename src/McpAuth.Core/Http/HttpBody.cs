using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Reads response bodies with a size cap, so a hostile or broken server cannot exhaust memory. The cap itself is
    /// <see cref="CappedReadStream"/>, which streamed (SSE) bodies use too.
    /// </summary>
    public static class HttpBody
    {
        /// <summary>The default cap for a JSON response or metadata document: 4 MiB.</summary>
        public const long DefaultMaxBytes = 4L * 1024 * 1024;

        /// <summary>Reads the whole body as bytes, failing with <c>ResponseTooLarge</c> past <paramref name="maxBytes"/>.</summary>
        public static async Task<byte[]> ReadBytesAsync(HttpResponseMessage response, long maxBytes, object? target, CancellationToken cancellationToken)
        {
            if (response.Content is null)
            {
                return Array.Empty<byte>();
            }

            long? declared = response.Content.Headers.ContentLength;
            if (declared > maxBytes)
            {
                throw TooLarge(maxBytes, target);
            }

            using Stream stream = new CappedReadStream(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), maxBytes, target);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, 16 * 1024, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }

        /// <summary>Reads the whole body as UTF-8 text with a size cap.</summary>
        public static async Task<string> ReadStringAsync(HttpResponseMessage response, long maxBytes, object? target, CancellationToken cancellationToken)
        {
            byte[] bytes = await ReadBytesAsync(response, maxBytes, target, cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(bytes);
        }

        internal static McpAuthException TooLarge(long maxBytes, object? target) => new McpAuthException(
            ErrorIds.ResponseTooLarge,
            McpErrorKind.InvalidData,
            $"The server's response is larger than the {maxBytes / 1024} KiB this client accepts; it was not read further.",
            target);
    }
}
