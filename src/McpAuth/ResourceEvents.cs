using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>
    /// Watch-McpResource -SourceIdentifier: the subscription runs on in the background, and each change raises
    /// the McpResourceSubscription's ResourceUpdated event, registered with the source identifier as
    /// Register-ObjectEvent does (with -Action, PowerShell runs the script block as a job; without, the events
    /// queue for Get-Event and Wait-Event). Unregister-Event -SourceIdentifier removes the registration, which
    /// ends the subscription: the stream is closed, or the server unsubscribed.
    /// </summary>
    internal static class ResourceEvents
    {
        public static McpResourceSubscription Start(McpSubscription subscription, string sourceIdentifier, ScriptBlock? action, PSEventManager events)
        {
            subscription.RunInBackground();
            var info = new McpResourceSubscription(subscription.ServerUri, subscription.ResourceUris.ToArray(), sourceIdentifier);
            PSEventSubscriber subscriber = events.SubscribeEvent(info, nameof(McpResourceSubscription.ResourceUpdated), sourceIdentifier, null, action, false, false);
            info.Job = subscriber.Action;
            var stop = new CancellationTokenSource();
            subscriber.Unsubscribed += (_, _) => stop.Cancel();
            _ = Task.Run(() => PumpAsync(subscription, info, stop.Token), CancellationToken.None);
            return info;
        }

        private static async Task PumpAsync(McpSubscription subscription, McpResourceSubscription info, CancellationToken stop)
        {
            // Its own redaction scope: the command that started it has ended.
            using IDisposable secrets = OperationSecrets.Begin();
            string? failure = null;
            try
            {
                while (await subscription.NextAsync(stop).ConfigureAwait(false) is McpResourceChange change)
                {
                    info.Raise(new McpResourceUpdate(subscription.ServerUri, change));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Unregister-Event ended it.
            }
            catch (McpAuthException ex)
            {
                failure = ex.Message;
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is ObjectDisposedException)
            {
                // The runspace that owned the events is gone.
                failure = ex.Message;
            }
            finally
            {
                await subscription.CloseAsync().ConfigureAwait(false);
                info.Ended(failure);
            }
        }
    }
}
