using System;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

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
        private readonly SignInOptions options;
        private readonly IEngineCallbacks callbacks;

        public InteractiveAuthorization(SignInOptions options, IEngineCallbacks callbacks)
        {
            this.options = options;
            this.callbacks = callbacks;
        }

        public async Task<Uri> GetCallbackAsync(Uri authorizationUrl, LoopbackRedirectListener listener, string issuer, CancellationToken cancellationToken)
        {
            using var timeout = new CancellationTokenSource(options.SignInTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            Task<Uri> fromListener = listener.WaitForCallbackAsync(linked.Token);
            Task<Uri?> other = Start(authorizationUrl, listener, issuer, linked.Token);
            var activity = "Signing in at " + issuer;
            DateTimeOffset started = DateTimeOffset.UtcNow;
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
                    int seconds = (int)(DateTimeOffset.UtcNow - started).TotalSeconds;
                    int percent = (int)Math.Min(99, seconds * 100 / Math.Max(1, options.SignInTimeout.TotalSeconds));
                    callbacks.Progress(new ProgressUpdate(ProgressActivity, activity, $"Waiting for the authorization response ({seconds} s)") { PercentComplete = percent });
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new McpAuthException(
                    ErrorIds.AuthorizationTimedOut,
                    McpErrorKind.Timeout,
                    $"Sign-in at {issuer} was not completed within {options.SignInTimeout.TotalSeconds:0} seconds. Run the command again (use -SignInTimeoutSec for more time).",
                    issuer);
            }
            finally
            {
                // Whichever way the code arrived, end the other wait now: a paste prompt still open on the
                // host must close without a key press once the loopback listener has the code.
                linked.Cancel();
                callbacks.Progress(new ProgressUpdate(ProgressActivity, activity, "done") { Completed = true });
            }
        }

        private Task<Uri?> Start(Uri authorizationUrl, LoopbackRedirectListener listener, string issuer, CancellationToken cancellationToken)
        {
            if (options.Method == AuthorizationMethod.Handler && options.AuthorizationHandler is not null)
            {
                callbacks.Verbose("Passing the authorization URL to the -AuthorizationHandler script block.");
                return callbacks.InvokeAuthorizationHandlerAsync(options.AuthorizationHandler, authorizationUrl, cancellationToken);
            }

            bool opened = !options.NoBrowser && BrowserLauncher.TryOpen(authorizationUrl, callbacks.Verbose);
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
