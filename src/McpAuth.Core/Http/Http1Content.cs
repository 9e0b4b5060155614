using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>How a response body is delimited (RFC 9112 section 6).</summary>
    internal enum Http1Framing
    {
        /// <summary>No body (HEAD, 204, 304).</summary>
        None,

        /// <summary>Content-Length bytes.</summary>
        Length,

        /// <summary>Transfer-Encoding: chunked.</summary>
        Chunked,

        /// <summary>Until the server closes the connection.</summary>
        UntilClose,
    }

    /// <summary>The content of a response from <see cref="DirectHttpHandler"/>: its body stream as it is.</summary>
    internal sealed class Http1Content : HttpContent
    {
        private readonly Http1Body body;

        public Http1Content(Http1Body body) => this.body = body;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => body.CopyToAsync(stream);

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(body);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                body.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
