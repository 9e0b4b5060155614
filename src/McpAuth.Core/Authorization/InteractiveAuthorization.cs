using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Authorization
{
    /// <summary>
    /// Gets the authorization response (the callback URL) the way the user chose: the system browser with
    /// the loopback listener, the URL printed and a pasted callback accepted (-NoBrowser or no browser), or
    /// the caller's handler (automation). Whichever answers first wins; a sign-in that does not complete in
    /// time fails with AuthorizationTimedOut.
    /// </summary>
    internal sealed class InteractiveAuthorization
    {
        private const int ProgressActivity = 9252;
        private readonly AuthorizationMethod method;
        private readonly object? handler;
        private readonly bool noBrowser;
        private readonly TimeSpan timeout;
        private readonly IEngineCallbacks callbacks;

        /// <summary>Creates the prompt for one authorization request.</summary>
        /// <param name="method">How the user authorizes: <see cref="AuthorizationMethod.Handler"/> runs <paramref name="handler"/>; anything else uses the browser.</param>
        /// <param name="handler">The caller's authorization handler, for <see cref="AuthorizationMethod.Handler"/>.</param>
        /// <param name="noBrowser">Print the URL and accept a pasted callback URL instead of opening a browser.</param>
        /// <param name="timeout">How long the user has; real elapsed time.</param>
        /// <param name="callbacks">Where the URL, progress and prompts go.</param>
        public InteractiveAuthorization(AuthorizationMethod method, object? handler, bool noBrowser, TimeSpan timeout, IEngineCallbacks callbacks)
        {
            this.method = method;
            this.handler = handler;
            this.noBrowser = noBrowser;
            this.timeout = timeout;
            this.callbacks = callbacks;
        }

        /// <summary>Gets the callback URL of the authorization request with <paramref name="state"/>; the listener ignores any other.</summary>
        public async Task<Uri> GetCallbackAsync(Uri authorizationUrl, string state, LoopbackRedirectListener listener, string issuer, CancellationToken cancellationToken)
        {
            using var expiry = new CancellationTokenSource(timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
            Task<Uri> fromListener = listener.WaitForCallbackAsync(state, linked.Token);
            Task<Uri?> other = Start(authorizationUrl, listener, issuer, linked.Token);
            var activity = "Signing in at " + issuer;
            var elapsed = Stopwatch.StartNew();
            try
            {
                while (true)
                {
                    Task tick = Task.Delay(TimeSpan.FromSeconds(1), linked.Token);
                    Task done = await Task.WhenAny(fromListener, other, tick).ConfigureAwait(false);
                    if (done == fromListener)
                    {
                        return await fromListener.ConfigureAwait(false);
                    }

                    if (done == other)
                    {
                        Uri? pasted = await other.ConfigureAwait(false);
                        if (pasted is not null)
                        {
                            return pasted;
                        }

                        other = new TaskCompletionSource<Uri?>().Task;
                        continue;
                    }

                    linked.Token.ThrowIfCancellationRequested();
                    int seconds = (int)elapsed.Elapsed.TotalSeconds;
                    int percent = (int)Math.Min(99, seconds * 100 / Math.Max(1, timeout.TotalSeconds));
                    callbacks.Progress(new ProgressUpdate(ProgressActivity, activity, $"Waiting for the authorization response ({seconds} s)") { PercentComplete = percent });
                }
            }
            catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new McpAuthException(
                    ErrorIds.AuthorizationTimedOut,
                    McpErrorKind.Timeout,
                    $"Sign-in at {issuer} was not completed within {timeout.TotalSeconds:0} seconds. Run the command again, and allow the sign-in more time if it needs it.",
                    issuer);
            }
            finally
            {
                // Whichever way the code arrived, end the other wait now: a paste prompt still open on the
                // host must close without a key press once the loopback listener has the code.
                linked.Cancel();
                callbacks.Progress(new ProgressUpdate(ProgressActivity, activity, "done") { Completed = true });

                // The wait that lost ends when the listener is disposed; its failure is expected and observed here,
                // not left to surface as an unobserved task exception.
                _ = fromListener.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        private Task<Uri?> Start(Uri authorizationUrl, LoopbackRedirectListener listener, string issuer, CancellationToken cancellationToken)
        {
            if (method == AuthorizationMethod.Handler && handler is not null)
            {
                callbacks.Verbose("Passing the authorization URL to the caller's authorization handler.");
                return callbacks.InvokeAuthorizationHandlerAsync(handler, authorizationUrl, cancellationToken);
            }

            bool opened = !noBrowser && BrowserLauncher.TryOpen(authorizationUrl, callbacks.Verbose);
            if (opened)
            {
                callbacks.Information($"Opened your browser to sign in at {issuer}. If it did not open, visit:{Environment.NewLine}{authorizationUrl.AbsoluteUri}");
                return new TaskCompletionSource<Uri?>().Task;
            }

            callbacks.Information($"To sign in at {issuer}, open this URL in a browser:{Environment.NewLine}{authorizationUrl.AbsoluteUri}");
            return PasteAsync(listener, cancellationToken);
        }

        private async Task<Uri?> PasteAsync(LoopbackRedirectListener listener, CancellationToken cancellationToken)
        {
            if (!callbacks.IsInteractive)
            {
                return await new TaskCompletionSource<Uri?>().Task.ConfigureAwait(false);
            }

            string? line = await callbacks.ReadLineAsync(
                "After signing in, paste the full URL from the browser's address bar here (or press Enter to keep waiting): ",
                cancellationToken).ConfigureAwait(false);
            return string.IsNullOrWhiteSpace(line) ? null : CallbackUrl.Parse(line!, listener.RedirectUri);
        }
    }
}
