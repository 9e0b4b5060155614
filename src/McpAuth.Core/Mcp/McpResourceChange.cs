using System;

namespace McpAuth.Core.Mcp
{
    /// <summary>A change a subscription heard about: notifications/resources/updated for one resource URI.</summary>
    public sealed class McpResourceChange
    {
        internal McpResourceChange(string uri, DateTimeOffset receivedAt)
        {
            Uri = uri;
            ReceivedAt = receivedAt;
        }

        /// <summary>Gets the URI of the resource that changed (it may be a sub-resource of the one subscribed to).</summary>
        public string Uri { get; }

        public DateTimeOffset ReceivedAt { get; }
    }
}
