using System;

namespace McpAuth.Core.Discovery
{
    /// <summary>One step of discovery: a URL considered, the HTTP status it answered (null when not fetched), and what was decided.</summary>
    public sealed class DiscoveryStep
    {
        public DiscoveryStep(string document, Uri url, int? statusCode, string decision, TimeSpan elapsed = default)
        {
            Document = document;
            Url = url;
            StatusCode = statusCode;
            Decision = decision;
            Elapsed = elapsed;
        }

        /// <summary>Gets which document was looked for ("protected resource metadata", "authorization server metadata").</summary>
        public string Document { get; }

        public Uri Url { get; }

        /// <summary>Gets the HTTP status code, or null when no response was received (refused, not fetched).</summary>
        public int? StatusCode { get; }

        public string Decision { get; }

        /// <summary>Gets the time since the previous step (for the first, since discovery started): mostly the HTTP request.</summary>
        public TimeSpan Elapsed { get; }

        /// <inheritdoc/>
        public override string ToString() => StatusCode is int status
            ? $"{Document}: {Url} -> {status}: {Decision}"
            : $"{Document}: {Url}: {Decision}";
    }
}
