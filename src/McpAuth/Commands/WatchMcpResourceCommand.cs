using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Watches resources for changes: subscriptions/listen on a modern server, resources/subscribe (changes on
    /// the session's stream) on a legacy one. Each change comes out as an McpResourceUpdate until Ctrl+C (which
    /// closes the stream, or unsubscribes, at once); with -SourceIdentifier the subscription runs in the
    /// background instead and each change becomes a PowerShell event (Get-Event, Wait-Event, -Action), until
    /// Unregister-Event -SourceIdentifier ends it.
    /// </summary>
    [Cmdlet(VerbsCommon.Watch, "McpResource", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(McpResourceUpdate), typeof(McpResourceSubscription))]
    public sealed class WatchMcpResourceCommand : McpServerFirstCmdletBase
    {
        private readonly List<string> resourceUris = new List<string>();
        private McpTarget? target;

        /// <summary>Gets or sets the URIs of the resources to watch (from the pipeline: Get-McpResource).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ResourceCompleter))]
        public string[] ResourceUri { get; set; } = null!;

        /// <summary>Gets or sets the source identifier of the PowerShell events; the subscription then runs in the background.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SourceIdentifier { get; set; }

        /// <summary>Gets or sets a script block to run for each event (with -SourceIdentifier), as Register-EngineEvent -Action does.</summary>
        [Parameter]
        public ScriptBlock? Action { get; set; }

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            if (Action is not null && SourceIdentifier is null)
            {
                ThrowTerminatingError(ErrorMapper.ParameterError("ActionWithoutSourceIdentifier", "-Action runs for the events of a background subscription: give -SourceIdentifier too.", null));
            }

            if (SourceIdentifier is not null && Events.Subscribers.Any(s => string.Equals(s.SourceIdentifier, SourceIdentifier, StringComparison.OrdinalIgnoreCase)))
            {
                ThrowTerminatingError(ErrorMapper.ParameterError("SourceIdentifierInUse", $"An event subscription '{SourceIdentifier}' exists already; end it with Unregister-Event -SourceIdentifier {SourceIdentifier}, or choose another name.", SourceIdentifier));
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            McpTarget current = Target();
            if (target is not null && target.ServerUri != current.ServerUri)
            {
                WriteError(ErrorMapper.ParameterError("OneServerPerWatch", $"Watch-McpResource watches the resources of one server ({target.ServerUri}); {current.ServerUri} needs a command of its own.", current.ServerUri));
                return;
            }

            target ??= current;
            foreach (string uri in ResourceUri)
            {
                if (!resourceUris.Contains(uri, StringComparer.Ordinal))
                {
                    resourceUris.Add(uri);
                }
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (target is null || resourceUris.Count == 0)
            {
                return;
            }

            McpTarget server = target;
            Func<IEngineCallbacks, McpCallContext> context = CallContext();
            try
            {
                if (SourceIdentifier is null)
                {
                    RunEngineOfferingStore((callbacks, token) => WatchAsync(server, context(callbacks), callbacks, token));
                }
                else
                {
                    McpSubscription subscription = RunEngineOfferingStore((callbacks, token) => McpOperations.SubscribeAsync(server, resourceUris, context(callbacks), token));
                    WriteObject(ResourceEvents.Start(subscription, SourceIdentifier, Action, Events));
                }
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
            }
        }

        /// <summary>Writes each change until Ctrl+C (or the end of the subscription), then ends the subscription.</summary>
        private async Task<bool> WatchAsync(McpTarget server, McpCallContext context, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            McpSubscription subscription = await McpOperations.SubscribeAsync(server, resourceUris, context, cancellationToken).ConfigureAwait(false);
            try
            {
                callbacks.Verbose($"Watching {string.Join(", ", subscription.ResourceUris)} on {subscription.ServerUri}; Ctrl+C stops.");
                while (await subscription.NextAsync(cancellationToken).ConfigureAwait(false) is McpResourceChange change)
                {
                    var update = new McpResourceUpdate(subscription.ServerUri, change);
                    await OnPipelineThread(() =>
                    {
                        WriteObject(update);
                        return true;
                    }).ConfigureAwait(false);
                }

                callbacks.Verbose($"The subscription to {subscription.ServerUri} ended.");
                return true;
            }
            finally
            {
                await subscription.CloseAsync().ConfigureAwait(false);
            }
        }
    }
}
