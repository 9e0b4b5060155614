using System;
using System.Collections.Generic;
using System.Linq;
using McpAuth.Core.Discovery;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>What Test-McpServer found about one server. It never carries a secret.</summary>
    public sealed class McpServerTestResult
    {
        internal McpServerTestResult(ServerProbeReport report)
        {
            Server = report.Server;
            Reachable = report.Reachable;
            ProtocolVersion = report.ProtocolVersion;
            Era = report.Era?.ToString();
            ServerName = report.ServerName;
            AuthRequired = report.AuthRequired;
            Issuer = report.Issuer;
            CredentialUsable = report.CredentialUsable;
            Credential = report.Credential;
            TokenExpiresOn = report.TokenExpiresOn;
            ToolCount = report.ToolCount;
            LatencyMs = report.LatencyMs;
            DiscoverySteps = report.DiscoverySteps.Select(step => new McpDiscoveryStep(step)).ToList();
            ToolName = report.ToolName;
            ToolSucceeded = report.ToolSucceeded;
            ToolResult = report.ToolResult;
            ErrorId = report.ErrorId;
            Error = report.Error;
        }

        /// <summary>Gets the MCP endpoint tested.</summary>
        public Uri Server { get; }

        /// <summary>Gets a value indicating whether every check passed: reachable, initialized, authorized without a person, tools listed, and the tool call (if asked) succeeded.</summary>
        public bool Healthy => Reachable && ProtocolVersion is not null && ErrorId is null && (!AuthRequired || CredentialUsable) && (ToolName is null || ToolSucceeded == true);

        /// <summary>Gets a value indicating whether the server answered HTTP at all.</summary>
        public bool Reachable { get; }

        /// <summary>Gets the MCP protocol version agreed (server/discover or initialize), or null.</summary>
        public string? ProtocolVersion { get; }

        /// <summary>Gets the protocol era: Modern (2026-07-28, stateless) or Legacy (initialize and sessions).</summary>
        public string? Era { get; }

        /// <summary>Gets the server's name from its initialize or server/discover answer.</summary>
        public string? ServerName { get; }

        /// <summary>Gets a value indicating whether the server asked for a token (401 with a Bearer challenge).</summary>
        public bool AuthRequired { get; }

        /// <summary>Gets the authorization server (issuer) from the stored credential or from discovery.</summary>
        public Uri? Issuer { get; }

        /// <summary>Gets a value indicating whether a stored credential worked without a person (valid, or refreshed).</summary>
        public bool CredentialUsable { get; }

        /// <summary>Gets NotRequired, Usable, SignInRequired (no usable stored credential) or Failed.</summary>
        public string Credential { get; }

        /// <summary>Gets when the access token in use expires.</summary>
        public DateTimeOffset? TokenExpiresOn { get; }

        /// <summary>Gets how many tools the server lists.</summary>
        public int? ToolCount { get; }

        /// <summary>Gets the round trip of one tools/list request, in milliseconds.</summary>
        public double? LatencyMs { get; }

        /// <summary>Gets the discovery steps: each URL, its HTTP status, the decision and the time it took.</summary>
        public IReadOnlyList<McpDiscoveryStep> DiscoverySteps { get; }

        /// <summary>Gets the tool -Tool called, or null.</summary>
        public string? ToolName { get; }

        /// <summary>Gets a value indicating whether the tool call succeeded (null when no tool was called).</summary>
        public bool? ToolSucceeded { get; }

        /// <summary>Gets the tool's result: its text content (or the error it reported).</summary>
        public string? ToolResult { get; }

        /// <summary>Gets the stable error id of the first check that failed (as in $_.FullyQualifiedErrorId), or null.</summary>
        public string? ErrorId { get; }

        /// <summary>Gets what went wrong and what to do, or null.</summary>
        public string? Error { get; }

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
