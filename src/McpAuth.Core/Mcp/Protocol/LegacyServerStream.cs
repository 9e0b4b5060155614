using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A legacy session's server-to-client stream (GET): opened right after initialization, so a server
    /// request sent at once is not lost, then read in the background (asynchronously; no thread waits on
    /// it) and resumed with Last-Event-ID when it breaks, for the life of the session. Requests on it are
    /// answered through the callbacks of the newest operation in flight. Servers without one are fine.
    /// </summary>
    internal sealed class LegacyServerStream
    {
        private readonly StreamableHttpTransport transport;
        private readonly IIncomingMessages incoming;
        private readonly Action ended;
        private readonly List<McpCallContext> active = new List<McpCallContext>();
        private CancellationTokenSource? running;
        private LegacyEra.Session? session;

        /// <param name="transport">The transport.</param>
        /// <param name="incoming">Handles the server's requests and notifications.</param>
        /// <param name="ended">Called when the stream ends for good while its session still lives (not after <see cref="Stop"/>).</param>
        public LegacyServerStream(StreamableHttpTransport transport, IIncomingMessages incoming, Action ended)
        {
            this.transport = transport;
            this.incoming = incoming;
            this.ended = ended;
        }

        /// <summary>Gets a value indicating whether the stream is open (or being resumed).</summary>
        public bool IsRunning => running is not null;

        /// <summary>Notes an operation in flight: the stream answers server requests through it.</summary>
        public void Enter(McpCallContext context)
        {
            lock (active)
            {
                active.Add(context);
            }
        }

        public void Leave(McpCallContext context)
        {
            lock (active)
            {
                active.Remove(context);
            }
        }

        /// <summary>Opens the stream and waits for its headers; then reads it in the background.</summary>
        public async Task StartAsync(LegacyEra.Session owner, McpCallContext context, CancellationToken cancellationToken)
        {
            Stop();
            TransportResponse response;
            try
            {
                response = await transport.GetStreamAsync(owner.Headers(), null, context, cancellationToken).ConfigureAwait(false);
            }
            catch (McpAuthException ex)
            {
                context.Callbacks.Debug("No server-to-client stream: " + ex.Message);
                return;
            }

            if (response.Kind != ResponseKind.EventStream)
            {
                response.Dispose();
                return;
            }

            var stop = new CancellationTokenSource();
            running = stop;
            session = owner;
            _ = Task.Run(() => ReadAsync(response, owner, stop.Token), CancellationToken.None);
        }

        public void Stop()
        {
            session = null;
            CancellationTokenSource? stop = Interlocked.Exchange(ref running, null);
            if (stop is not null)
            {
                stop.Cancel();
                stop.Dispose();
            }
        }

        private McpCallContext Current()
        {
            lock (active)
            {
                return active.Count == 0 ? new McpCallContext(NullEngineCallbacks.Instance) : active[active.Count - 1];
            }
        }

        private async Task ReadAsync(TransportResponse first, LegacyEra.Session owner, CancellationToken cancellationToken)
        {
            TransportResponse? current = first;
            var position = new StreamPosition();
            try
            {
                for (int failures = 0; current is not null && failures <= transport.Options.MaxStreamResumptions; failures++)
                {
                    try
                    {
                        await current.ReadEventsAsync(
                            position,
                            async message =>
                            {
                                if (message.IsRequest || message.IsNotification)
                                {
                                    await incoming.HandleAsync(message, Current(), cancellationToken).ConfigureAwait(false);
                                }

                                return false;
                            },
                            Current().Callbacks,
                            cancellationToken,
                            capEachMessage: true).ConfigureAwait(false);
                    }
                    catch (McpAuthException ex)
                    {
                        Current().Callbacks.Debug("The server-to-client stream failed: " + ex.Message);
                    }
                    finally
                    {
                        current.Dispose();
                        current = null;
                    }

                    if (!ReferenceEquals(session, owner))
                    {
                        return;
                    }

                    await Task.Delay(position.Delay(transport.Options.DefaultRetryDelay), cancellationToken).ConfigureAwait(false);
                    TransportResponse next = await transport.GetStreamAsync(owner.Headers(), position.LastEventId, Current(), cancellationToken).ConfigureAwait(false);
                    if (next.Kind == ResponseKind.EventStream)
                    {
                        current = next;
                    }
                    else
                    {
                        next.Dispose();
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is McpAuthException || ex is ObjectDisposedException)
            {
                // The session ended, or the server stopped offering the stream.
            }
            finally
            {
                current?.Dispose();
                if (ReferenceEquals(session, owner) && !cancellationToken.IsCancellationRequested)
                {
                    // Still the session's stream, but gone for good: nothing will carry its notifications now.
                    CancellationTokenSource? mine = Volatile.Read(ref running);
                    if (mine is not null && mine.Token == cancellationToken)
                    {
                        Interlocked.CompareExchange(ref running, null, mine);
                    }

                    ended();
                }
            }
        }
    }
}
