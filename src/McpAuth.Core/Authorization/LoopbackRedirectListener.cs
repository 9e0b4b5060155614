using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Authorization
{
    /// <summary>
    /// The loopback redirect listener of RFC 8252 §7.3: a minimal HTTP listener on 127.0.0.1 that waits for the
    /// browser to arrive at <c>http://127.0.0.1:&lt;port&gt;/callback</c>. Other paths get 404; junk, slow or
    /// half-open connections are closed after a timeout without disturbing the wait. A callback that does not carry
    /// the state of the request being waited for (another local program forging one to abort the sign-in, or a stale
    /// browser tab) is answered with an error page and ignored: the wait goes on for the real one. It binds when
    /// created, so the redirect URI is known before the browser opens.
    /// </summary>
    public sealed partial class LoopbackRedirectListener : IDisposable
    {
        /// <summary>The callback path.</summary>
        public const string CallbackPath = "/callback";

        private const int MaxRequestLineBytes = 8 * 1024;
        private const int MaxRequestHeadBytes = 32 * 1024;

        private const string DonePage = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in complete</title></head>" +
            "<body style=\"font-family:sans-serif;margin:3em\"><h1>Sign-in complete</h1><p>You can close this window and return to PowerShell.</p></body></html>";

        private const string ForeignPage = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not this sign-in</title></head>" +
            "<body style=\"font-family:sans-serif;margin:3em\"><h1>Not this sign-in</h1><p>This response does not belong to the sign-in PowerShell is waiting for, so it was ignored.</p></body></html>";

        private const string ErrorPage = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in not completed</title></head>" +
            "<body style=\"font-family:sans-serif;margin:3em\"><h1>Sign-in not completed</h1><p>You can close this window; PowerShell shows what happened.</p></body></html>";

        private readonly TcpListener listener;
        private readonly object gate = new object();
        private readonly HashSet<TcpClient> connections = new HashSet<TcpClient>();
        private int waitStarted;
        private string expectedState = string.Empty;
        private bool disposed;

        private LoopbackRedirectListener(TcpListener listener, int port)
        {
            this.listener = listener;
            Port = port;
            RedirectUri = new Uri($"http://127.0.0.1:{port}{CallbackPath}");
        }

        /// <summary>Gets the port listened on.</summary>
        public int Port { get; }

        /// <summary>Gets the redirect URI to register and send: <c>http://127.0.0.1:&lt;port&gt;/callback</c>.</summary>
        public Uri RedirectUri { get; }

        /// <summary>Gets or sets how long one connection may take to send its request (default 10 seconds).</summary>
        public TimeSpan ConnectionTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Starts listening on 127.0.0.1.</summary>
        /// <param name="port">A fixed port, or 0 for a free ephemeral port.</param>
        /// <exception cref="McpAuthException"><c>RedirectListenerFailed</c> (ResourceUnavailable) when the port cannot be used.</exception>
        public static LoopbackRedirectListener Start(int port = 0)
        {
            if (port < 0 || port > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 0 (any free port) to 65535.");
            }

            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Server.ExclusiveAddressUse = true;
                listener.Start();
            }
            catch (SocketException ex)
            {
                listener.Stop();
                throw new McpAuthException(
                    ErrorIds.RedirectListenerFailed,
                    McpErrorKind.ResourceUnavailable,
                    port == 0
                        ? $"Could not listen on 127.0.0.1 for the sign-in redirect ({ex.SocketErrorCode})."
                        : $"Could not listen on 127.0.0.1:{port} for the sign-in redirect ({ex.SocketErrorCode}); another program may be using the port. Choose another redirect port, or let one be chosen automatically.",
                    port,
                    ex);
            }

            return new LoopbackRedirectListener(listener, ((IPEndPoint)listener.LocalEndpoint).Port);
        }

        /// <summary>
        /// Waits until the browser requests the callback path with a <c>code</c> or <c>error</c> parameter and the
        /// <paramref name="expectedState"/>, answers it with a small page, and returns the full callback URL. A
        /// callback with another state, none or several is answered 400 and ignored. Can be called once; the
        /// listener stops afterwards.
        /// </summary>
        /// <param name="expectedState">The state of the authorization request whose answer is awaited.</param>
        /// <param name="cancellationToken">Stops waiting (the caller's timeout or Ctrl+C).</param>
        /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
        public async Task<Uri> WaitForCallbackAsync(string expectedState, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(expectedState))
            {
                throw new ArgumentException("The expected state is required.", nameof(expectedState));
            }

            ThrowIfDisposed();
            if (Interlocked.Exchange(ref waitStarted, 1) != 0)
            {
                throw new InvalidOperationException("WaitForCallbackAsync can be called only once per listener.");
            }

            this.expectedState = expectedState;

            var result = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                Task loop = AcceptLoopAsync(result, stop.Token);
                try
                {
                    using (cancellationToken.Register(() => result.TrySetCanceled(cancellationToken)))
                    {
                        return await result.Task.ConfigureAwait(false);
                    }
                }
                finally
                {
                    stop.Cancel();
                    StopListening();
                    try
                    {
                        await loop.ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        // The loop reports through 'result'; nothing more to observe here.
                    }
                }
            }
        }

        /// <summary>Stops listening and closes any open connection.</summary>
        public void Dispose()
        {
            lock (gate)
            {
                if (disposed)
                {
                    return;
                }

                disposed = true;
            }

            StopListening();
            lock (gate)
            {
                foreach (TcpClient client in connections)
                {
                    client.Dispose();
                }

                connections.Clear();
            }
        }

        private async Task AcceptLoopAsync(TaskCompletionSource<Uri> result, CancellationToken stopToken)
        {
            while (!stopToken.IsCancellationRequested && !result.Task.IsCompleted)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is InvalidOperationException)
                {
                    if (!stopToken.IsCancellationRequested && !result.Task.IsCompleted)
                    {
                        bool wasDisposed;
                        lock (gate)
                        {
                            wasDisposed = disposed;
                        }

                        result.TrySetException(wasDisposed
                            ? new ObjectDisposedException(nameof(LoopbackRedirectListener))
                            : new McpAuthException(ErrorIds.RedirectListenerFailed, McpErrorKind.ResourceUnavailable, $"The sign-in redirect listener on 127.0.0.1:{Port} stopped unexpectedly: {ex.Message}", Port, ex));
                    }

                    return;
                }

                if (!Track(client))
                {
                    client.Dispose();
                    return;
                }

                // Each connection runs on its own, so a slow or silent one never blocks the browser's request.
                _ = HandleConnectionAsync(client, result, stopToken);
            }
        }

        private async Task HandleConnectionAsync(TcpClient client, TaskCompletionSource<Uri> result, CancellationToken stopToken)
        {
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopToken))
                {
                    timeout.CancelAfter(ConnectionTimeout);

                    // Closing the socket is what reliably ends a pending read on every runtime.
                    using (timeout.Token.Register(client.Dispose))
                    {
                        NetworkStream stream = client.GetStream();
                        RequestOutcome outcome = await ReadRequestAsync(stream, timeout.Token).ConfigureAwait(false);
                        await WriteResponseAsync(stream, outcome, timeout.Token).ConfigureAwait(false);
                        if (outcome.Callback is not null)
                        {
                            result.TrySetResult(outcome.Callback);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException || ex is OperationCanceledException || ex is InvalidOperationException)
            {
                // A broken, slow or junk connection: drop it and keep waiting for the browser.
            }
            finally
            {
                Untrack(client);
                client.Dispose();
            }
        }

        private bool Track(TcpClient client)
        {
            lock (gate)
            {
                if (disposed)
                {
                    return false;
                }

                connections.Add(client);
                return true;
            }
        }

        private void Untrack(TcpClient client)
        {
            lock (gate)
            {
                connections.Remove(client);
            }
        }

        private void StopListening()
        {
            try
            {
                listener.Stop();
            }
            catch (SocketException)
            {
            }
        }

        private void ThrowIfDisposed()
        {
            lock (gate)
            {
                if (disposed)
                {
                    throw new ObjectDisposedException(nameof(LoopbackRedirectListener));
                }
            }
        }
    }
}
