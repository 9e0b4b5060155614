using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// The requests behind <see cref="McpClient"/>'s resource and prompt calls, the same for both eras:
    /// resources/read (with the read's caching and one typed not-found for both eras' error codes) and
    /// prompts/get (its arguments as strings; a not-found told apart from other invalid params).
    /// </summary>
    internal static class ContentRequests
    {
        public const string ResourcesList = "resources/list";
        public const string TemplatesList = "resources/templates/list";
        public const string PromptsList = "prompts/list";

        /// <summary>Reads of more than this many bytes are not kept in the cache.</summary>
        private const long MaxCachedReadBytes = 4L * 1024 * 1024;

        /// <summary>The cache key of a read: the method and the URI.</summary>
        public static string ReadKey(string uri) => "resources/read " + uri;

        /// <summary>Throws InvalidResourceUri unless <paramref name="uri"/> is an absolute URI (RFC 3986).</summary>
        public static void RequireUri(string? uri)
        {
            if (string.IsNullOrWhiteSpace(uri) || !Uri.TryCreate(uri, UriKind.Absolute, out _))
            {
                throw new McpAuthException(
                    ErrorIds.InvalidResourceUri,
                    McpErrorKind.InvalidArgument,
                    $"'{uri}' is not an absolute resource URI (for example file:///project/README.md). A URI template needs its values first.",
                    uri);
            }
        }

        public static async Task<IReadOnlyList<McpContentBlock>> ReadAsync(ProtocolEra era, string uri, ResultCache cache, Func<DateTimeOffset> clock, McpCallContext context, CancellationToken cancellationToken)
        {
            DateTimeOffset received = clock();
            InputRequiredRounds.Answer answer;
            try
            {
                answer = await InputRequiredRounds.SendAsync(era, "resources/read", new ReadResourceParams { Uri = uri }, null, uri, context, cancellationToken).ConfigureAwait(false);
            }
            catch (McpJsonRpcException ex) when (ex.Code == McpErrorCodes.InvalidParams || ex.Code == McpErrorCodes.ResourceNotFound)
            {
                throw new McpAuthException(ErrorIds.ResourceNotFound, McpErrorKind.NotFound, $"{era.Endpoint} has no resource '{ServerText.Sanitize(uri, 300)}' ({ex.Message}).", uri, ex);
            }

            ReadResourceResult result = JsonRpcCodec.Read(answer.Result, McpJsonContext.Default.ReadResourceResult, "resources/read", uri);
            List<JsonNode?> contents = result.Contents ?? throw JsonRpcCodec.Malformed($"The server's resources/read result for '{ServerText.Sanitize(uri, 300)}' has no contents array.", uri, null);
            var blocks = new List<McpContentBlock>(contents.Count);
            for (int i = 0; i < contents.Count; i++)
            {
                blocks.Add(McpContentBlock.ParseResourceContents(contents[i], $"resources/read '{ServerText.Sanitize(uri, 300)}' contents {i + 1}", uri));
            }

            long size = blocks.Sum(b => (long)(b.Bytes?.Length ?? 0) + ((b.Text?.Length ?? 0) * 2L));
            if (!answer.Retried && size <= MaxCachedReadBytes)
            {
                TimeSpan ttl = ResultCache.Ttl(result.TtlMs);
                cache.Store(ReadKey(uri), blocks, ttl, result.CacheScope, received);
                if (ttl > TimeSpan.Zero)
                {
                    context.Callbacks.Debug($"resources/read: fresh for {ttl.TotalSeconds:0.#} s ({result.CacheScope ?? "no"} cache scope).");
                }
            }

            return blocks;
        }

        /// <summary>The arguments of prompts/get: an object of strings (numbers and booleans in their invariant form).</summary>
        public static JsonObject? PromptArguments(string name, object? arguments)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A prompt name is required.", nameof(name));
            }

            JsonNode? node = ClrJson.FromClr(arguments);
            if (node is null)
            {
                return null;
            }

            if (node is not JsonObject values)
            {
                throw InvalidArguments(name, "Prompt arguments must be a hashtable of names and values, for example @{ name = 'Ada' }.");
            }

            var strings = new JsonObject();
            foreach (KeyValuePair<string, JsonNode?> kv in values)
            {
                strings[kv.Key] = kv.Value switch
                {
                    null => null,
                    JsonValue v when v.TryGetValue(out string? s) => s,
                    JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
                    JsonValue v when v.TryGetValue(out double d) => d.ToString("R", CultureInfo.InvariantCulture),
                    _ => throw InvalidArguments(name, $"The prompt argument '{kv.Key}' must be a single value (a string, number or boolean): prompt arguments are strings."),
                };
            }

            return strings;
        }

        public static async Task<McpPromptResult> GetPromptAsync(ProtocolEra era, string name, JsonObject? arguments, Func<Task<IReadOnlyList<McpPromptInfo>>> listPrompts, McpCallContext context, CancellationToken cancellationToken)
        {
            InputRequiredRounds.Answer answer;
            try
            {
                answer = await InputRequiredRounds.SendAsync(era, "prompts/get", new GetPromptParams { Name = name, Arguments = arguments }, null, name, context, cancellationToken).ConfigureAwait(false);
            }
            catch (McpJsonRpcException ex) when (ex.Code == McpErrorCodes.InvalidParams)
            {
                // -32602 means an unknown prompt or bad arguments; the server's list tells them apart.
                IReadOnlyList<McpPromptInfo>? prompts = null;
                try
                {
                    prompts = await listPrompts().ConfigureAwait(false);
                }
                catch (McpAuthException listing)
                {
                    context.Callbacks.Debug("Could not list the prompts to tell an unknown prompt from bad arguments: " + listing.Message);
                }

                if (prompts is null || prompts.Any(p => string.Equals(p.Name, name, StringComparison.Ordinal)))
                {
                    throw;
                }

                throw new McpAuthException(ErrorIds.PromptNotFound, McpErrorKind.NotFound, $"{era.Endpoint} has no prompt named '{ServerText.Sanitize(name, 128)}' ({ex.Message}).", name, ex);
            }

            GetPromptResult result = JsonRpcCodec.Read(answer.Result, McpJsonContext.Default.GetPromptResult, "prompts/get", name);
            return McpPromptResult.From(result, name);
        }

        private static McpAuthException InvalidArguments(string name, string message)
            => new McpAuthException(ErrorIds.InvalidPromptArguments, McpErrorKind.InvalidArgument, message, name);
    }
}
