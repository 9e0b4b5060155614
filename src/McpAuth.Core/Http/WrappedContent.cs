using System.Net.Http;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// An HTTP body that stands in for another (to watch it being sent, or to bound how it is read): it carries the
    /// inner body's headers, declares its length when the inner one does, and disposes it.
    /// </summary>
    internal abstract class WrappedContent : HttpContent
    {
        protected WrappedContent(HttpContent inner)
        {
            Inner = inner;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        /// <summary>Gets the body this one stands in for.</summary>
        protected HttpContent Inner { get; }

        protected override bool TryComputeLength(out long length)
        {
            long? declared = Inner.Headers.ContentLength;
            length = declared ?? 0;
            return declared is not null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
