using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>
    /// Base of the cmdlets that act on one server, given either as a connection object (-Connection, from
    /// the pipeline) or a URL (-Uri, also bound from a ServerUri property). The two parameters are declared
    /// by <see cref="McpServerFirstCmdletBase"/> (the server is the first positional argument) or
    /// <see cref="McpToolCmdletBase"/> (a tool name takes position 0, the server is named).
    /// </summary>
    public abstract class McpServerCmdletBase : McpCmdletBase
    {
        /// <summary>The parameter set that takes a connection object.</summary>
        protected const string ConnectionSet = "Connection";

        /// <summary>The parameter set that takes a server URL.</summary>
        protected const string UriSet = "Uri";

        /// <summary>Gets or sets the seconds one HTTP request may take when a new connection is made.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>Gets the server this invocation targets.</summary>
        protected Uri TargetUri => ParameterSetName == ConnectionSet ? ConnectionArgument.ServerUri : UriArgument;

        /// <summary>Gets the -Connection argument.</summary>
        private protected abstract McpServerConnection ConnectionArgument { get; }

        /// <summary>Gets the -Uri argument.</summary>
        private protected abstract Uri UriArgument { get; }

        /// <summary>The server this invocation targets, for one engine call; <paramref name="verify"/> talks to it even when its era is remembered.</summary>
        internal McpTarget Target(bool verify = false) => new McpTarget(
            ParameterSetName == ConnectionSet ? ConnectionArgument.Connection : null,
            TargetUri,
            new McpConnectOptions { Timeout = TimeSpan.FromSeconds(TimeoutSec), Verify = verify });

        /// <summary>
        /// The operation's context: the engine's callbacks, the server log level -Verbose/-Debug ask for, and whether tool
        /// calls ask for progress (when Write-Progress would show it). Call on the pipeline thread.
        /// </summary>
        internal Func<IEngineCallbacks, McpCallContext> CallContext()
        {
            string? level = Preferences.ServerLogLevel;
            bool progress = Preferences.Progress;
            return callbacks => new McpCallContext(callbacks) { LogLevel = level, WantsProgress = progress };
        }

        /// <summary>
        /// Runs one engine call against this invocation's server (connecting first when needed), with the
        /// keychain-less choice offered. False after an engine error, which is written as a non-terminating error.
        /// </summary>
        internal bool TryRunOnTarget<T>(Func<McpTarget, McpCallContext, CancellationToken, Task<T>> call, out T result)
        {
            try
            {
                McpTarget target = Target();
                Func<IEngineCallbacks, McpCallContext> context = CallContext();
                result = RunEngineOfferingStore((callbacks, token) => call(target, context(callbacks), token));
                return true;
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                result = default!;
                return false;
            }
        }
    }

    /// <summary>A cmdlet whose first positional argument is the server: a URL or a connection object.</summary>
    public abstract class McpServerFirstCmdletBase : McpServerCmdletBase
    {
        /// <summary>Gets or sets the connection, as Connect-McpServer returned it.</summary>
        [Parameter(ParameterSetName = ConnectionSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public McpServerConnection Connection { get; set; } = null!;

        /// <summary>Gets or sets the MCP endpoint URL; a live connection to it is reused, or one is made.</summary>
        [Parameter(ParameterSetName = UriSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(Completion.ServerUriCompleter))]
        public Uri Uri { get; set; } = null!;

        private protected override McpServerConnection ConnectionArgument => Connection;

        private protected override Uri UriArgument => Uri;
    }

    /// <summary>A cmdlet whose first positional argument is a tool name; the server is named (-Uri, -Connection) or piped.</summary>
    public abstract class McpToolCmdletBase : McpServerCmdletBase
    {
        /// <summary>Gets or sets the connection, as Connect-McpServer returned it.</summary>
        [Parameter(ParameterSetName = ConnectionSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public McpServerConnection Connection { get; set; } = null!;

        /// <summary>Gets or sets the MCP endpoint URL; a live connection to it is reused, or one is made.</summary>
        [Parameter(ParameterSetName = UriSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ServerUri")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(Completion.ServerUriCompleter))]
        public Uri Uri { get; set; } = null!;

        private protected override McpServerConnection ConnectionArgument => Connection;

        private protected override Uri UriArgument => Uri;

        /// <summary>
        /// Writes the listed items whose names match <paramref name="patterns"/> (all when none), then one
        /// non-terminating ObjectNotFound error per pattern without wildcards that matched nothing.
        /// </summary>
        private protected void WriteMatching<T>(IEnumerable<T> items, string[]? patterns, Func<T, string?> name, Func<T, object> output, string kind, string notFoundId)
        {
            var filter = new NameFilter(patterns);
            foreach (T item in items)
            {
                if (filter.Includes(name(item)))
                {
                    WriteObject(output(item));
                }
            }

            foreach (string missing in filter.Unmatched())
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"The server {TargetUri} has no {kind} named '{missing}'."), notFoundId, ErrorCategory.ObjectNotFound, missing));
            }
        }
    }
}
