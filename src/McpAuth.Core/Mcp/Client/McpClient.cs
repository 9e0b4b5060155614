using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// The MCP client the cmdlets call: connect; list and call tools; list and read resources and resource
    /// templates; list and get prompts; subscribe to resource changes; close. Behind it one era strategy
    /// (<see cref="ModernEra"/> or <see cref="LegacyEra"/>) over the streamable HTTP transport, chosen once
    /// per server — remembered, or found out modern-first — and the same API for both. Safe for
    /// concurrent calls.
    /// </summary>
    public sealed partial class McpClient : IDisposable
    {
        private readonly StreamableHttpTransport transport;
        private readonly EraMemory memory;
        private readonly SemaphoreSlim connectLock = new SemaphoreSlim(1, 1);
        private readonly ToolCache tools = new ToolCache();
        private readonly ResultCache results = new ResultCache();
        private readonly Func<DateTimeOffset> clock;
        private ProtocolEra? era;
        private Storage.StoredToolHeaders? remembered;
        private bool eraFromMemory;

        // The last progress token a tool call of this connection sent (see ProgressReporter).
        private long progressTokens;

        internal McpClient(Uri endpoint, HttpClient http, McpClientOptions options, EraMemory memory, Func<DateTimeOffset>? clock = null)
        {
            transport = new StreamableHttpTransport(endpoint, http, options);
            this.memory = memory;
            this.clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        /// <summary>Gets the MCP endpoint URL.</summary>
        public Uri Endpoint => transport.Endpoint;

        /// <summary>Gets the era the server speaks, once known.</summary>
        public McpEra? Era => era?.Era;

        /// <summary>Gets the protocol version in use, once known.</summary>
        public string? ProtocolVersion => IsConnected ? era!.ProtocolVersion : null;

        /// <summary>Gets the legacy session id, if the server assigned one.</summary>
        public string? SessionId => era?.SessionId;

        /// <summary>Gets the server's name (serverInfo), once the server said it.</summary>
        public string? ServerName => era?.Server.Name;

        /// <summary>Gets the server's version (serverInfo), once the server said it.</summary>
        public string? ServerVersion => era?.Server.Version;

        /// <summary>Gets the server's instructions, if it sent any.</summary>
        public string? Instructions => era?.Server.Instructions;

        /// <summary>Gets a value indicating whether the era is known (and a legacy session initialized).</summary>
        public bool IsConnected => era is not null && (era is not LegacyEra legacy || legacy.IsInitialized);

        /// <summary>Gets the tools last listed (fresh or not), or null.</summary>
        public IReadOnlyList<McpToolInfo>? CachedTools => tools.Tools;

        /// <summary>Gets the resources last listed (fresh or not), or null.</summary>
        public IReadOnlyList<McpResourceInfo>? CachedResources => results.Last<IReadOnlyList<McpResourceInfo>>(ContentRequests.ResourcesList);

        /// <summary>Gets the resource templates last listed (fresh or not), or null.</summary>
        public IReadOnlyList<McpResourceTemplateInfo>? CachedResourceTemplates => results.Last<IReadOnlyList<McpResourceTemplateInfo>>(ContentRequests.TemplatesList);

        /// <summary>Gets the prompts last listed (fresh or not), or null.</summary>
        public IReadOnlyList<McpPromptInfo>? CachedPrompts => results.Last<IReadOnlyList<McpPromptInfo>>(ContentRequests.PromptsList);

        internal JsonObject? ServerCapabilities => era?.Server.Capabilities;

        /// <summary>
        /// Makes sure the era is known: remembered (unless <paramref name="verify"/>), else found out with a
        /// modern request first and the legacy handshake as fallback. Signs in on the way when the server asks.
        /// </summary>
        /// <param name="context">The operation.</param>
        /// <param name="verify">Talk to the server even when its era is remembered (Connect-McpServer).</param>
        /// <param name="cancellationToken">Cancels the operation.</param>
        public async Task ConnectAsync(McpCallContext context, bool verify, CancellationToken cancellationToken)
        {
            if (IsConnected && !(verify && eraFromMemory))
            {
                return;
            }

            await connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (era is LegacyEra legacy)
                {
                    await legacy.EnsureInitializedAsync(context, cancellationToken).ConfigureAwait(false);
                }
                else if (era is null || (verify && eraFromMemory))
                {
                    await ChooseEraAsync(context, verify, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                connectLock.Release();
            }
        }

        /// <summary>Lists every tool (following nextCursor through all pages), or returns the cached list while it is fresh.</summary>
        public Task<IReadOnlyList<McpToolInfo>> ListToolsAsync(McpCallContext context, CancellationToken cancellationToken)
            => tools.Fresh(clock()) is IReadOnlyList<McpToolInfo> fresh
                ? Task.FromResult(fresh)
                : WithEraAsync(current => ListAllAsync(current, context, cancellationToken), context, cancellationToken);

        /// <summary>
        /// Calls a tool with arguments given as plain .NET data (an IDictionary or a list of key/value
        /// pairs). A result with isError is returned, not thrown: the caller decides.
        /// </summary>
        public Task<McpToolResult> CallToolAsync(string name, object? arguments, McpCallContext context, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A tool name is required.", nameof(name));
            }

            JsonNode? node = ClrJson.FromClr(arguments);
            if (node is not null && node is not JsonObject)
            {
                throw new McpAuthException(ErrorIds.InvalidToolArguments, McpErrorKind.InvalidArgument, "Tool arguments must be a hashtable or an object with properties, for example @{ message = 'hi' }.", name);
            }

            return WithEraAsync(current => CallAsync(current, name, node as JsonObject ?? new JsonObject(), context, cancellationToken), context, cancellationToken);
        }

        /// <summary>Lists every resource (every page), or returns the list while it is fresh.</summary>
        public Task<IReadOnlyList<McpResourceInfo>> ListResourcesAsync(McpCallContext context, CancellationToken cancellationToken)
            => ListCachedAsync(ContentRequests.ResourcesList, McpJsonContext.Default.ListResourcesResult, McpResourceInfo.FromJson, context, cancellationToken);

        /// <summary>Lists every resource template (every page), or returns the list while it is fresh.</summary>
        public Task<IReadOnlyList<McpResourceTemplateInfo>> ListResourceTemplatesAsync(McpCallContext context, CancellationToken cancellationToken)
            => ListCachedAsync(ContentRequests.TemplatesList, McpJsonContext.Default.ListResourceTemplatesResult, McpResourceTemplateInfo.FromJson, context, cancellationToken);

        /// <summary>Lists every prompt (every page), or returns the list while it is fresh.</summary>
        public Task<IReadOnlyList<McpPromptInfo>> ListPromptsAsync(McpCallContext context, CancellationToken cancellationToken)
            => ListCachedAsync(ContentRequests.PromptsList, McpJsonContext.Default.ListPromptsResult, McpPromptInfo.FromJson, context, cancellationToken);

        /// <summary>
        /// Reads a resource (resources/read), or returns the last read while it is fresh. Each of its contents
        /// is text or decoded bytes; a malformed one carries its typed error. A resource the server does not
        /// have is ResourceNotFound (-32602 from modern servers, -32002 from legacy ones).
        /// </summary>
        public Task<IReadOnlyList<McpContentBlock>> ReadResourceAsync(string uri, McpCallContext context, CancellationToken cancellationToken)
        {
            ContentRequests.RequireUri(uri);
            return results.Fresh<IReadOnlyList<McpContentBlock>>(ContentRequests.ReadKey(uri), clock()) is IReadOnlyList<McpContentBlock> fresh
                ? Task.FromResult(fresh)
                : WithEraAsync(current => ContentRequests.ReadAsync(current, uri, results, clock, context, cancellationToken), context, cancellationToken);
        }

        /// <summary>
        /// Gets a prompt (prompts/get) with arguments given as plain .NET data (names to values, sent as
        /// strings). A prompt the server does not list is PromptNotFound; other invalid params stay InvalidParams.
        /// </summary>
        public Task<McpPromptResult> GetPromptAsync(string name, object? arguments, McpCallContext context, CancellationToken cancellationToken)
        {
            System.Text.Json.Nodes.JsonObject? values = ContentRequests.PromptArguments(name, arguments);
            return WithEraAsync(
                current => ContentRequests.GetPromptAsync(current, name, values, () => ListPromptsAsync(context, cancellationToken), context, cancellationToken),
                context,
                cancellationToken);
        }

        /// <summary>
        /// Subscribes to changes of resources (modern: subscriptions/listen; legacy: resources/subscribe) and
        /// returns once the server agreed. Read the changes with <see cref="McpSubscription.NextAsync"/>; a change
        /// also makes this client's cached read of that resource stale.
        /// </summary>
        public Task<McpSubscription> SubscribeAsync(IReadOnlyList<string> uris, McpCallContext context, CancellationToken cancellationToken)
        {
            if (uris is null || uris.Count == 0)
            {
                throw new ArgumentException("At least one resource URI is required.", nameof(uris));
            }

            foreach (string uri in uris)
            {
                ContentRequests.RequireUri(uri);
            }

            return WithEraAsync(
                async current =>
                {
                    var subscription = new McpSubscription(Endpoint, clock, uri => results.Invalidate(ContentRequests.ReadKey(uri)));
                    IChangeFeed feed = await current.SubscribeAsync(uris, subscription.Add, context, cancellationToken).ConfigureAwait(false);
                    subscription.Attach(feed);
                    return subscription;
                },
                context,
                cancellationToken);
        }

        /// <summary>Ends what the era keeps on the server (DELETE of a legacy session), best effort.</summary>
        public async Task CloseAsync(McpCallContext context, CancellationToken cancellationToken)
        {
            ProtocolEra? current = Interlocked.Exchange(ref era, null);
            if (current is not null)
            {
                try
                {
                    await current.CloseAsync(context, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    current.Dispose();
                }
            }
        }

        public void Dispose()
        {
            Interlocked.Exchange(ref era, null)?.Dispose();
            connectLock.Dispose();
        }

        private async Task ChooseEraAsync(McpCallContext context, bool verify, CancellationToken cancellationToken)
        {
            string? remembered = verify ? null : await memory.RecallAsync(Endpoint, context.Callbacks, cancellationToken).ConfigureAwait(false);
            if (remembered is not null && McpProtocol.IsModern(remembered))
            {
                context.Callbacks.Verbose($"{Endpoint} speaks MCP {remembered} (remembered); no discovery request.");
                Replace(new ModernEra(transport, remembered), fromMemory: true);
                return;
            }

            ProtocolEra chosen;
            if (remembered is not null)
            {
                context.Callbacks.Verbose($"{Endpoint} speaks MCP {remembered} (remembered): legacy handshake.");
                var legacy = new LegacyEra(transport);
                try
                {
                    await legacy.EnsureInitializedAsync(context, cancellationToken).ConfigureAwait(false);
                    chosen = legacy;
                }
                catch (McpJsonRpcException ex) when (ex.HttpStatus >= 400 && ex.HttpStatus < 500)
                {
                    legacy.Dispose();
                    EraMemory.Forget(Endpoint);
                    context.Callbacks.Verbose($"{Endpoint} no longer takes the legacy handshake ({ex.Message}); finding out its era again.");
                    chosen = await EraNegotiator.NegotiateAsync(transport, context, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                chosen = await EraNegotiator.NegotiateAsync(transport, context, cancellationToken).ConfigureAwait(false);
            }

            Replace(chosen, fromMemory: false);
            await memory.RememberAsync(Endpoint, chosen.ProtocolVersion, context.Callbacks, cancellationToken).ConfigureAwait(false);
        }

        private void Replace(ProtocolEra next, bool fromMemory)
        {
            Interlocked.Exchange(ref era, next)?.Dispose();
            eraFromMemory = fromMemory;
        }

        /// <summary>Runs an operation in the current era; a remembered modern era that meets a legacy server is found out again, once.</summary>
        private async Task<T> WithEraAsync<T>(Func<ProtocolEra, Task<T>> operation, McpCallContext context, CancellationToken cancellationToken)
        {
            await ConnectAsync(context, verify: false, cancellationToken).ConfigureAwait(false);
            ProtocolEra current = era ?? throw new ObjectDisposedException(nameof(McpClient));
            try
            {
                return await operation(current).ConfigureAwait(false);
            }
            catch (EraMismatchException ex) when (eraFromMemory && ReferenceEquals(era, current))
            {
                context.Callbacks.Verbose($"{Endpoint} did not answer as the remembered MCP {current.ProtocolVersion} server ({ex.Message}); finding out its era again.");
                EraMemory.Forget(Endpoint);
                await ConnectAsync(context, verify: true, cancellationToken).ConfigureAwait(false);
                return await operation(era ?? throw new ObjectDisposedException(nameof(McpClient))).ConfigureAwait(false);
            }
        }

        /// <summary>A list that is cached as a whole (resources, resource templates, prompts): fresh from the cache, else every page.</summary>
        private Task<IReadOnlyList<T>> ListCachedAsync<TPage, T>(string method, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TPage> type, Func<System.Text.Json.Nodes.JsonNode?, T?> read, McpCallContext context, CancellationToken cancellationToken)
            where TPage : PagedResult
            where T : class
        {
            if (results.Fresh<IReadOnlyList<T>>(method, clock()) is IReadOnlyList<T> fresh)
            {
                context.Callbacks.Debug($"{method}: the server's list is still fresh; not asking again.");
                return Task.FromResult(fresh);
            }

            return WithEraAsync(
                async current =>
                {
                    DateTimeOffset received = clock();
                    PagedLister.Listing<T> listing = await PagedLister.ReadAllAsync(current, method, type, read, context, cancellationToken).ConfigureAwait(false);
                    results.Store(method, listing.Items, listing.Ttl, listing.CacheScope, received);
                    return listing.Items;
                },
                context,
                cancellationToken);
        }
    }
}
