using System;
using System.Collections.Generic;
using McpAuth.Core.Discovery;

namespace McpAuth
{
    /// <summary>What Test-McpServer found about one server. It never carries a secret.</summary>
    public sealed class McpServerTestResult
    {
        internal McpServerTestResult(Uri server)
        {
            Server = server;
            DiscoverySteps = Array.Empty<McpDiscoveryStep>();
        }

        /// <summary>Gets the MCP endpoint tested.</summary>
        public Uri Server { get; }

        /// <summary>Gets a value indicating whether every check passed: reachable, initialized, authorized without a person, tools listed, and the tool call (if asked) succeeded.</summary>
        public bool Healthy => Reachable && ProtocolVersion is not null && ErrorId is null && (!AuthRequired || CredentialUsable) && (ToolName is null || ToolSucceeded == true);

        /// <summary>Gets a value indicating whether the server answered HTTP at all.</summary>
        public bool Reachable { get; internal set; }

        /// <summary>Gets the MCP protocol version agreed at initialization, or null.</summary>
        public string? ProtocolVersion { get; internal set; }

        /// <summary>Gets the server's name from its initialize answer.</summary>
        public string? ServerName { get; internal set; }

        /// <summary>Gets a value indicating whether the server asked for a token (401 with a Bearer challenge).</summary>
        public bool AuthRequired { get; internal set; }

        /// <summary>Gets the authorization server (issuer) from the stored credential or from discovery.</summary>
        public Uri? Issuer { get; internal set; }

        /// <summary>Gets a value indicating whether a stored credential worked without a person (valid, or refreshed).</summary>
        public bool CredentialUsable { get; internal set; }

        /// <summary>Gets NotRequired, Usable, SignInRequired (no usable stored credential) or Failed.</summary>
        public string Credential { get; internal set; } = "NotRequired";

        /// <summary>Gets when the access token in use expires.</summary>
        public DateTimeOffset? TokenExpiresOn { get; internal set; }

        /// <summary>Gets how many tools the server lists.</summary>
        public int? ToolCount { get; internal set; }

        /// <summary>Gets the time of one request round trip (ping), in milliseconds.</summary>
        public double? LatencyMs { get; internal set; }

        /// <summary>Gets the discovery steps: each URL, its HTTP status, the decision and the time it took.</summary>
        public IReadOnlyList<McpDiscoveryStep> DiscoverySteps { get; internal set; }

        /// <summary>Gets the tool -Tool called, or null.</summary>
        public string? ToolName { get; internal set; }

        /// <summary>Gets a value indicating whether the tool call succeeded (null when no tool was called).</summary>
        public bool? ToolSucceeded { get; internal set; }

        /// <summary>Gets the tool's result: its text content (or the error it reported).</summary>
        public string? ToolResult { get; internal set; }

        /// <summary>Gets the stable error id of the first check that failed (as in $_.FullyQualifiedErrorId), or null.</summary>
        public string? ErrorId { get; internal set; }

        /// <summary>Gets what went wrong and what to do, or null.</summary>
        public string? Error { get; internal set; }

        /// <inheritdoc/>
        public override string ToString() => $"{Server}: {(Healthy ? "healthy" : ErrorId ?? "unhealthy")}";
    }

    /// <summary>One discovery step of Test-McpServer.</summary>
    public sealed class McpDiscoveryStep
    {
        internal McpDiscoveryStep(DiscoveryStep step)
        {
            Document = step.Document;
            Url = step.Url;
            StatusCode = step.StatusCode;
            Decision = step.Decision;
            Milliseconds = Math.Round(step.Elapsed.TotalMilliseconds, 1);
        }

        /// <summary>Gets the document looked for (protected resource metadata, authorization server metadata).</summary>
        public string Document { get; }

        /// <summary>Gets the URL considered.</summary>
        public Uri Url { get; }

        /// <summary>Gets the HTTP status, or null when no response was received.</summary>
        public int? StatusCode { get; }

        /// <summary>Gets what was decided.</summary>
        public string Decision { get; }

        /// <summary>Gets how long the step took, in milliseconds.</summary>
        public double Milliseconds { get; }

        /// <inheritdoc/>
        public override string ToString() => $"{Url} -> {(StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-")}: {Decision} ({Milliseconds} ms)";
    }
}
