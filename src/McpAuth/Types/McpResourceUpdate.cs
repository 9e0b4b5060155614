using System;
using System.Management.Automation;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>
    /// A change Watch-McpResource heard about (notifications/resources/updated). Pipe it to Read-McpResource to
    /// read the new contents (ServerUri and ResourceUri bind by name). In a background subscription it is the
    /// event's arguments ($Event.SourceEventArgs, or $EventArgs in an -Action script block).
    /// </summary>
    public sealed class McpResourceUpdate : EventArgs
    {
        internal McpResourceUpdate(Uri serverUri, McpResourceChange change)
        {
            ServerUri = serverUri;
            ResourceUri = change.Uri;
            TimeReceived = change.ReceivedAt;
        }

        /// <summary>Gets the server that reported the change.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the URI of the resource that changed (it may be a sub-resource of the one watched).</summary>
        public string ResourceUri { get; }

        /// <summary>Gets when the notification arrived.</summary>
        public DateTimeOffset TimeReceived { get; }

        public override string ToString() => ResourceUri;
    }

    /// <summary>
    /// A subscription that Watch-McpResource -SourceIdentifier runs in the background: each change raises the
    /// <see cref="ResourceUpdated"/> event, which Watch-McpResource registered as a PowerShell event with that
    /// source identifier ($Event.SourceEventArgs is the McpResourceUpdate). Unregister-Event -SourceIdentifier
    /// ends it.
    /// </summary>
    public sealed class McpResourceSubscription
    {
        private volatile string state = "Running";
        private volatile string? error;

        internal McpResourceSubscription(Uri serverUri, string[] resourceUris, string sourceIdentifier)
        {
            ServerUri = serverUri;
            ResourceUri = resourceUris;
            SourceIdentifier = sourceIdentifier;
        }

        public Uri ServerUri { get; }

        /// <summary>Gets the resource URIs the server agreed to report changes of.</summary>
        public string[] ResourceUri { get; }

        /// <summary>Gets the source identifier of the events (Get-Event, Wait-Event, Unregister-Event).</summary>
        public string SourceIdentifier { get; }

        /// <summary>Gets the job that runs -Action for each event, or null.</summary>
        public PSEventJob? Job { get; internal set; }

        /// <summary>Gets Running, Stopped (unregistered, or the server ended it) or Failed (see <see cref="Error"/>).</summary>
        public string State => state;

        /// <summary>Gets why the subscription failed, or null.</summary>
        public string? Error => error;

        /// <summary>Raised (on a thread of the subscription's) for each change; PowerShell turns it into an event.</summary>
        public event EventHandler<McpResourceUpdate>? ResourceUpdated;

        internal void Raise(McpResourceUpdate update) => ResourceUpdated?.Invoke(this, update);

        internal void Ended(string? failure)
        {
            error = failure;
            state = failure is null ? "Stopped" : "Failed";
        }

        public override string ToString() => SourceIdentifier;
    }
}
