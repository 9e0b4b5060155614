using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// A health check of one server (Test-McpServer): a throwaway connection (the process's live one is left
    /// alone) whose authorizer may use or refresh a stored credential but never starts a sign-in; it connects
    /// (server/discover or initialize, whichever the server speaks), lists the tools, optionally calls one,
    /// and runs discovery when the server asked for a token. What the server does wrong becomes the report's
    /// error id; nothing is thrown for it.
    /// </summary>
    public static class ServerProbe
    {
        public static async Task<ServerProbeReport> RunAsync(
            Uri server, TimeSpan timeout, CredentialStoreOptions store, string? tool, object? arguments, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            var report = new ServerProbeReport(server) { ToolName = tool };
            ChallengeRecorder? recorder = null;
            var options = new McpConnectOptions { Timeout = timeout, SignIn = new SignInOptions { AllowSignIn = false, Store = store } };
            using var connection = new McpConnection(server, options, authorizer => recorder = new ChallengeRecorder(authorizer));
            // Challenges reach the authorizer (a stored credential is used or refreshed); its options forbid a sign-in.
            var context = new McpCallContext(callbacks);
            try
            {
                await connection.Client.ConnectAsync(context, verify: true, cancellationToken).ConfigureAwait(false);
                report.ProtocolVersion = connection.Client.ProtocolVersion;
                report.Era = connection.Client.Era;
                report.ServerName = connection.Client.ServerName;
                var watch = Stopwatch.StartNew();
                report.ToolCount = (await connection.Client.ListToolsAsync(context, cancellationToken).ConfigureAwait(false)).Count;
                report.LatencyMs = Math.Round(watch.Elapsed.TotalMilliseconds, 1);
                if (tool is not null)
                {
                    McpToolResult called = await connection.Client.CallToolAsync(tool, arguments, context, cancellationToken).ConfigureAwait(false);
                    report.ToolSucceeded = !called.IsError;
                    report.ToolResult = called.Text;
                    if (called.IsError)
                    {
                        report.Fail(ErrorIds.ToolError, $"The tool '{tool}' reported an error: {called.Text}");
                    }
                }
            }
            catch (McpAuthException ex)
            {
                report.Fail(ex.ErrorId, ex.Message);
                if (tool is not null && report.ToolCount is not null)
                {
                    report.ToolSucceeded = false;
                }
            }

            try
            {
                Summarize(report, recorder, connection.OAuth);
                if (recorder?.Challenge is BearerChallenge challenge)
                {
                    await DiscoverAsync(report, server, challenge, connection.Http, callbacks, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await CloseQuietlyAsync(connection, context).ConfigureAwait(false);
            }

            return report;
        }

        private static void Summarize(ServerProbeReport report, ChallengeRecorder? recorder, OAuthAuthorizer oauth)
        {
            bool answered = recorder?.Answered == true;
            report.Reachable = answered || report.ProtocolVersion is not null
                || (report.ErrorId is not null && report.ErrorId != ErrorIds.ServerUnreachable && report.ErrorId != ErrorIds.RequestTimedOut);
            report.AuthRequired = recorder?.Challenge is not null;
            if (oauth.HasToken)
            {
                report.CredentialUsable = true;
                report.Credential = "Usable";
                report.TokenExpiresOn = oauth.ExpiresAt;
                report.Issuer = oauth.Issuer;
            }
            else if (report.AuthRequired)
            {
                report.Credential = report.ErrorId == ErrorIds.AuthenticationRequired || report.ErrorId == ErrorIds.InteractionRequired ? "SignInRequired" : "Failed";
            }
        }

        private static async Task DiscoverAsync(ServerProbeReport report, Uri server, BearerChallenge challenge, HttpClient http, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            var steps = new List<DiscoveryStep>();
            report.DiscoverySteps = steps;
            var discovery = new DiscoveryClient { StepTaken = steps.Add };
            try
            {
                DiscoveryResult found = await discovery.DiscoverAsync(server, challenge, http, callbacks, cancellationToken).ConfigureAwait(false);
                report.Issuer ??= found.AuthorizationServer.Issuer;
            }
            catch (McpAuthException ex)
            {
                if (report.ErrorId is null || report.ErrorId == ErrorIds.AuthenticationRequired || report.ErrorId == ErrorIds.InteractionRequired)
                {
                    report.Fail(ex.ErrorId, ex.Message, replace: true);
                }
            }
        }

        private static async Task CloseQuietlyAsync(McpConnection connection, McpCallContext context)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await connection.CloseAsync(context, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is McpAuthException || ex is OperationCanceledException || ex is HttpRequestException)
            {
                context.Callbacks.Verbose("Ending the test session failed: " + ex.Message);
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

            public void Observe(HttpResponseMessage response) => inner.Observe(response);

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

    /// <summary>What <see cref="ServerProbe"/> found out about a server.</summary>
    public sealed class ServerProbeReport
    {
        internal ServerProbeReport(Uri server)
        {
            Server = server;
        }

        public Uri Server { get; }

        public bool Reachable { get; internal set; }

        public string? ProtocolVersion { get; internal set; }

        public McpEra? Era { get; internal set; }

        public string? ServerName { get; internal set; }

        public bool AuthRequired { get; internal set; }

        public Uri? Issuer { get; internal set; }

        public bool CredentialUsable { get; internal set; }

        /// <summary>Gets NotRequired, Usable, SignInRequired or Failed.</summary>
        public string Credential { get; internal set; } = "NotRequired";

        public DateTimeOffset? TokenExpiresOn { get; internal set; }

        public int? ToolCount { get; internal set; }

        /// <summary>Gets the round trip of tools/list, in milliseconds.</summary>
        public double? LatencyMs { get; internal set; }

        public IReadOnlyList<DiscoveryStep> DiscoverySteps { get; internal set; } = Array.Empty<DiscoveryStep>();

        public string? ToolName { get; internal set; }

        public bool? ToolSucceeded { get; internal set; }

        public string? ToolResult { get; internal set; }

        /// <summary>Gets the id of the first check that failed.</summary>
        public string? ErrorId { get; internal set; }

        public string? Error { get; internal set; }

        internal void Fail(string errorId, string message, bool replace = false)
        {
            if (ErrorId is null || replace)
            {
                ErrorId = errorId;
                Error = message;
            }
        }
    }
}
