using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth
{
    /// <summary>
    /// Test-McpServer's work, through the engine's public client API only: a throwaway session (the live
    /// connection of the process is left alone) whose authorizer may use a stored credential but never starts
    /// a sign-in; then discovery when the server asked for a token, a ping, tools/list and optionally one tool
    /// call. Every failure becomes the result's ErrorId; nothing is thrown for what the server does.
    /// </summary>
    internal static class ServerProbe
    {
        public static async Task<McpServerTestResult> RunAsync(
            Uri server, TimeSpan timeout, CredentialStoreOptions store, string? tool, object? arguments, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            var result = new McpServerTestResult(server) { ToolName = tool };
            using HttpClient http = McpHttpClientFactory.Create(timeout);
            var oauth = new OAuthAuthorizer(server, http, new SignInOptions { AllowSignIn = false, Store = store });
            var recorder = new ChallengeRecorder(oauth);
            using var session = new McpClientSession(server, http, new McpClientOptions { RequestTimeout = timeout, ClientName = "McpAuth" }, recorder);
            try
            {
                await session.EnsureInitializedAsync(callbacks, cancellationToken).ConfigureAwait(false);
                result.ProtocolVersion = session.ProtocolVersion;
                result.ServerName = session.ServerName;
                result.LatencyMs = await TimeAsync(() => session.PingAsync(callbacks, cancellationToken)).ConfigureAwait(false);
                result.ToolCount = (await session.ListToolsAsync(callbacks, cancellationToken).ConfigureAwait(false)).Count;
                if (tool is not null)
                {
                    McpToolResult called = await session.CallToolAsync(tool, arguments, callbacks, cancellationToken).ConfigureAwait(false);
                    result.ToolSucceeded = !called.IsError;
                    result.ToolResult = called.Text;
                    if (called.IsError)
                    {
                        Fail(result, ErrorIds.ToolError, $"The tool '{tool}' reported an error: {called.Text}");
                    }
                }
            }
            catch (McpAuthException ex)
            {
                Fail(result, ex.ErrorId, ex.Message);
                if (tool is not null && result.ToolCount is not null)
                {
                    result.ToolSucceeded = false;
                }
            }
            finally
            {
                await CloseQuietlyAsync(session, callbacks).ConfigureAwait(false);
            }

            result.Reachable = recorder.Answered || (result.ErrorId is not ErrorIds.ServerUnreachable and not ErrorIds.RequestTimedOut && result.ErrorId is not null) || result.ProtocolVersion is not null;
            result.AuthRequired = recorder.Challenge is not null;
            if (oauth.HasToken)
            {
                result.CredentialUsable = true;
                result.Credential = "Usable";
                result.TokenExpiresOn = oauth.ExpiresAt;
                result.Issuer = oauth.Issuer;
            }
            else if (result.AuthRequired)
            {
                result.Credential = result.ErrorId == ErrorIds.AuthenticationRequired ? "SignInRequired" : "Failed";
            }

            if (recorder.Challenge is BearerChallenge challenge)
            {
                await DiscoverAsync(result, server, challenge, http, callbacks, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }

        private static async Task DiscoverAsync(McpServerTestResult result, Uri server, BearerChallenge challenge, HttpClient http, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            var steps = new List<McpDiscoveryStep>();
            result.DiscoverySteps = steps;
            var discovery = new DiscoveryClient { StepTaken = step => steps.Add(new McpDiscoveryStep(step)) };
            try
            {
                DiscoveryResult found = await discovery.DiscoverAsync(server, challenge, http, callbacks, cancellationToken).ConfigureAwait(false);
                result.Issuer ??= found.AuthorizationServer.Issuer;
            }
            catch (McpAuthException ex)
            {
                if (result.ErrorId is null || result.ErrorId == ErrorIds.AuthenticationRequired)
                {
                    Fail(result, ex.ErrorId, ex.Message, replace: true);
                }
            }
        }

        private static void Fail(McpServerTestResult result, string errorId, string message, bool replace = false)
        {
            if (result.ErrorId is null || replace)
            {
                result.ErrorId = errorId;
                result.Error = message;
            }
        }

        private static async Task<double?> TimeAsync(Func<Task> request)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await request().ConfigureAwait(false);
            }
            catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.MethodNotFound || ex.ErrorId == ErrorIds.JsonRpcError)
            {
                // A server without ping still answered: the round trip counts.
            }

            return Math.Round(watch.Elapsed.TotalMilliseconds, 1);
        }

        private static async Task CloseQuietlyAsync(McpClientSession session, IEngineCallbacks callbacks)
        {
            if (!session.IsInitialized)
            {
                return;
            }

            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await session.CloseAsync(callbacks, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is McpAuthException || ex is OperationCanceledException || ex is HttpRequestException)
            {
                callbacks.Verbose("Ending the test session failed: " + ex.Message);
            }
        }

        /// <summary>Passes requests to the OAuth authorizer and remembers whether the server answered and how it challenged.</summary>
        private sealed class ChallengeRecorder : IRequestAuthorizer
        {
            private readonly IRequestAuthorizer inner;

            public ChallengeRecorder(IRequestAuthorizer inner)
            {
                this.inner = inner;
            }

            public BearerChallenge? Challenge { get; private set; }

            public bool Answered { get; private set; }

            public Task AuthorizeAsync(HttpRequestMessage request, IEngineCallbacks callbacks, CancellationToken cancellationToken)
                => inner.AuthorizeAsync(request, callbacks, cancellationToken);

            public Task<bool> HandleChallengeAsync(HttpResponseMessage response, int attempt, IEngineCallbacks callbacks, CancellationToken cancellationToken)
            {
                Answered = true;
                if (response.StatusCode == HttpStatusCode.Unauthorized && Challenge is null)
                {
                    Challenge = BearerChallenge.FromResponse(response);
                }

                return inner.HandleChallengeAsync(response, attempt, callbacks, cancellationToken);
            }
        }
    }
}
