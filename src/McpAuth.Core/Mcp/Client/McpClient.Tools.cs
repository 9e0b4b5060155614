using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>Tools: listing every page (leaving out a modern tool whose header annotations are invalid) and calling one with its definition's headers.</summary>
    public sealed partial class McpClient
    {
        private async Task<IReadOnlyList<McpToolInfo>> ListAllAsync(ProtocolEra current, McpCallContext context, CancellationToken cancellationToken)
        {
            DateTimeOffset received = clock();
            PagedLister.Listing<McpToolInfo> listing = await PagedLister.ReadAllAsync(current, "tools/list", McpJsonContext.Default.ListToolsResult, McpToolInfo.FromJson, context, cancellationToken).ConfigureAwait(false);
            var rejected = new Dictionary<string, string>(StringComparer.Ordinal);
            var list = new List<McpToolInfo>();
            foreach (McpToolInfo tool in listing.Items)
            {
                if (Accept(tool, current, rejected, context))
                {
                    list.Add(tool);
                }
            }

            tools.Store(list, rejected, listing.Ttl, listing.CacheScope, received);
            if (listing.Ttl > TimeSpan.Zero)
            {
                context.Callbacks.Debug($"tools/list: {list.Count} tools, fresh for {listing.Ttl.TotalSeconds:0.#} s ({listing.CacheScope ?? "no"} cache scope).");
            }

            if (current.Era == McpEra.Modern)
            {
                await memory.RememberToolsAsync(Endpoint, ToolCache.ToStored(list, received, listing.Ttl), context.Callbacks, cancellationToken).ConfigureAwait(false);
            }

            return list;
        }

        /// <summary>On a modern server, a tool whose x-mcp-header annotations are invalid is left out with a warning.</summary>
        private static bool Accept(McpToolInfo tool, ProtocolEra current, Dictionary<string, string> rejected, McpCallContext context)
        {
            if (current.Era != McpEra.Modern)
            {
                return true;
            }

            ToolHeaderParameters? parameters = ToolHeaderParameters.Read(tool.InputSchema, out string? problem);
            if (parameters is null)
            {
                string why = problem ?? "invalid x-mcp-header annotations";
                rejected[tool.Name] = why;
                context.Callbacks.Warning($"The server's tool '{Http.ServerText.Sanitize(tool.Name, 128)}' is left out: {why}.");
                return false;
            }

            tool.HeaderParameters = parameters;
            return true;
        }

        private async Task<McpToolResult> CallAsync(ProtocolEra current, string name, JsonObject arguments, McpCallContext context, CancellationToken cancellationToken)
        {
            ProgressReporter? progress = context.WantsProgress ? new ProgressReporter("Tool " + name, Interlocked.Increment(ref progressTokens)) : null;
            context.Progress = progress;
            try
            {
                for (int attempt = 0; ; attempt++)
                {
                    IEnumerable<KeyValuePair<string, string>>? headers = null;
                    if (current.Era == McpEra.Modern)
                    {
                        ToolHeaderParameters? rules = await HeaderRulesAsync(current, name, context, cancellationToken).ConfigureAwait(false);
                        headers = rules?.HeadersFor(arguments);
                    }

                    var parameters = new CallToolParams { Name = name, Arguments = (JsonObject)arguments.DeepClone(), Meta = progress is null ? null : new RequestMeta { ProgressToken = progress.Token } };
                    try
                    {
                        InputRequiredRounds.Answer answer = await InputRequiredRounds.SendAsync(current, "tools/call", parameters, headers, name, context, cancellationToken).ConfigureAwait(false);
                        return McpToolResult.From(JsonRpcCodec.Read(answer.Result, McpJsonContext.Default.CallToolResult, "tools/call", name), name);
                    }
                    catch (McpJsonRpcException ex) when (ex.Code == McpErrorCodes.HeaderMismatch && attempt == 0 && current.Era == McpEra.Modern)
                    {
                        context.Callbacks.Verbose($"The server says the headers of tools/call '{name}' do not match ({ex.Message}); reading its tool list again, then trying once more.");
                        tools.Invalidate();
                        await ListAllAsync(current, context, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                progress?.Complete(context.Callbacks);
                context.Progress = null;
            }
        }

        /// <summary>
        /// The tool's Mcp-Param-* rules: from the last list; before this client listed, from the rules kept in the
        /// stored credential while the server's list is fresh (a new process then calls at once); else from a new list.
        /// </summary>
        private async Task<ToolHeaderParameters?> HeaderRulesAsync(ProtocolEra current, string name, McpCallContext context, CancellationToken cancellationToken)
        {
            if (tools.Tools is null)
            {
                remembered ??= await memory.RecallToolsAsync(Endpoint, context.Callbacks, cancellationToken).ConfigureAwait(false);
                if (ToolCache.FromStored(remembered, name, clock()) is ToolHeaderParameters kept)
                {
                    context.Callbacks.Verbose($"The header rules of '{name}' come from the server's tool list kept with the stored credential (fresh until {remembered!.FreshUntil:u}); not listing the tools.");
                    return kept;
                }

                await ListAllAsync(current, context, cancellationToken).ConfigureAwait(false);
            }

            if (tools.RejectionOf(name) is string why)
            {
                throw new McpAuthException(
                    ErrorIds.InvalidToolDefinition,
                    McpErrorKind.InvalidData,
                    $"The server's definition of the tool '{Http.ServerText.Sanitize(name, 128)}' is invalid ({why}), so it is not called. The server must fix the tool's x-mcp-header annotations.",
                    name);
            }

            return tools.Find(name)?.HeaderParameters;
        }
    }
}
