using System;

namespace McpAuth.Core.Mcp
{
    /// <summary>Options of one MCP client.</summary>
    public sealed class McpClientOptions
    {
        /// <summary>Gets or sets how long one HTTP request may take (until its headers, or a JSON body) before it fails with RequestTimedOut.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>Gets or sets the largest response this client reads (JSON body or whole SSE stream): 16 MiB.</summary>
        public long MaxResponseBytes { get; set; } = 16L * 1024 * 1024;

        /// <summary>Gets or sets how often a broken response stream is resumed (legacy) or the request re-issued (modern) before it fails.</summary>
        public int MaxStreamResumptions { get; set; } = 5;

        /// <summary>Gets or sets the wait before resuming a stream when the server gave no retry field.</summary>
        public TimeSpan DefaultRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Gets or sets the most pages tools/list may return before it is treated as a hostile server.</summary>
        public int MaxPages { get; set; } = 1000;

        /// <summary>Gets or sets how many input_required rounds one call may take before it fails with InputRequiredLoop.</summary>
        public int MaxInputRounds { get; set; } = 10;

        public string ClientName { get; set; } = "McpAuth";

        public string ClientVersion { get; set; } = typeof(McpClientOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }
}
