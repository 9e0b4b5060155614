using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Core.Mcp
{
    /// <summary>The server a command acts on: a live connection it was given, or a URL (a live connection to it is reused, or one is made).</summary>
    public sealed class McpTarget
    {
        public McpTarget(McpConnection? connection, Uri serverUri, McpConnectOptions options)
        {
            Connection = connection;
            ServerUri = serverUri ?? throw new ArgumentNullException(nameof(serverUri));
            Options = options ?? throw new ArgumentNullException(nameof(options));
        }

        public McpConnection? Connection { get; }

        public Uri ServerUri { get; }

        public McpConnectOptions Options { get; }

        internal Task<McpConnection> ResolveAsync(McpCallContext context, CancellationToken cancellationToken)
            => McpConnectionRegistry.ResolveAsync(Connection, ServerUri, Options, context, cancellationToken);
    }

    /// <summary>The engine calls of the commands that act on one server: one call each, connection included.</summary>
    public static class McpOperations
    {
        /// <summary>
        /// Returns the target's access token (connecting, and signing in when the server asks); with
        /// <paramref name="scopes"/>, one that has them (step-up with consent); refreshed first when
        /// <paramref name="forceRefresh"/>.
        /// </summary>
        public static async Task<TokenSet> GetTokenAsync(McpTarget target, IReadOnlyList<string>? scopes, bool forceRefresh, McpCallContext context, CancellationToken cancellationToken)
        {
            McpConnection connection = await target.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            return await connection.OAuth.GetTokenAsync(scopes, forceRefresh, context.Callbacks, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Changes the target's credential (refresh, more scopes, another client, revoke), connecting first when needed. Returns the connection.</summary>
        public static async Task<McpConnection> ChangeCredentialAsync(McpTarget target, CredentialChange change, McpCallContext context, CancellationToken cancellationToken)
        {
            Guard.NotNull(change, nameof(change));
            McpConnection connection = await target.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            await connection.OAuth.ChangeAsync(change, context.Callbacks, cancellationToken).ConfigureAwait(false);
            return connection;
        }

        /// <summary>Removes the server's stored credentials (revoking their tokens first). Returns the live connection to the server, if any.</summary>
        public static async Task<McpConnection?> RemoveCredentialAsync(Uri serverUri, CredentialStoreOptions store, IEngineCallbacks callbacks, CancellationToken cancellationToken)
        {
            await CredentialManager.RemoveAsync(store, serverUri, null, revoke: true, callbacks, cancellationToken).ConfigureAwait(false);
            return McpConnectionRegistry.Find(serverUri);
        }

        /// <summary>Resolves the target's connection (connecting when needed), then makes one client call.</summary>
        private static async Task<T> OnClientAsync<T>(McpTarget target, Func<McpClient, Task<T>> call, McpCallContext context, CancellationToken cancellationToken)
        {
            McpConnection connection = await target.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            return await call(connection.Client).ConfigureAwait(false);
        }

        /// <summary>Calls a tool on the target (connecting first when needed). A result with isError is returned, not thrown.</summary>
        public static Task<McpToolResult> CallToolAsync(McpTarget target, string name, object? arguments, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.CallToolAsync(name, arguments, context, cancellationToken), context, cancellationToken);

        /// <summary>Lists the target's tools (connecting first when needed), or returns its list while it is fresh.</summary>
        public static Task<IReadOnlyList<McpToolInfo>> ListToolsAsync(McpTarget target, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.ListToolsAsync(context, cancellationToken), context, cancellationToken);

        /// <summary>Lists the target's resources (every page), or returns its list while it is fresh.</summary>
        public static Task<IReadOnlyList<McpResourceInfo>> ListResourcesAsync(McpTarget target, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.ListResourcesAsync(context, cancellationToken), context, cancellationToken);

        /// <summary>Lists the target's resource templates (every page), or returns its list while it is fresh.</summary>
        public static Task<IReadOnlyList<McpResourceTemplateInfo>> ListResourceTemplatesAsync(McpTarget target, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.ListResourceTemplatesAsync(context, cancellationToken), context, cancellationToken);

        /// <summary>Reads a resource of the target, or returns the last read while it is fresh.</summary>
        public static Task<IReadOnlyList<McpContentBlock>> ReadResourceAsync(McpTarget target, string uri, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.ReadResourceAsync(uri, context, cancellationToken), context, cancellationToken);

        /// <summary>Lists the target's prompts (every page), or returns its list while it is fresh.</summary>
        public static Task<IReadOnlyList<McpPromptInfo>> ListPromptsAsync(McpTarget target, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.ListPromptsAsync(context, cancellationToken), context, cancellationToken);

        /// <summary>Gets a prompt of the target with its arguments (plain .NET data: names to values).</summary>
        public static Task<McpPromptResult> GetPromptAsync(McpTarget target, string name, object? arguments, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.GetPromptAsync(name, arguments, context, cancellationToken), context, cancellationToken);

        /// <summary>Lists the target's skills (skills/list, every page); reads none of their files.</summary>
        public static Task<IReadOnlyList<McpSkillInfo>> ListSkillsAsync(McpTarget target, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.ListSkillsAsync(context, cancellationToken), context, cancellationToken);

        /// <summary>Loads a skill of the target, verifying each file it reads (SKILL.md first); SkillVerificationFailed stops at the first failure.</summary>
        public static Task<IReadOnlyList<McpSkillFile>> LoadSkillAsync(McpTarget target, McpSkillInfo skill, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.LoadSkillAsync(skill, context, cancellationToken), context, cancellationToken);

        /// <summary>
        /// Lists the target's skills, finds the one named <paramref name="name"/> (exactly) and loads it as
        /// <see cref="LoadSkillAsync(McpTarget, McpSkillInfo, McpCallContext, CancellationToken)"/> does; null when the
        /// server has no skill of that name.
        /// </summary>
        public static Task<LoadedSkill?> LoadSkillAsync(McpTarget target, string name, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(
                target,
                async client =>
                {
                    foreach (McpSkillInfo skill in await client.ListSkillsAsync(context, cancellationToken).ConfigureAwait(false))
                    {
                        if (string.Equals(skill.Name, name, StringComparison.Ordinal))
                        {
                            return new LoadedSkill(skill, await client.LoadSkillAsync(skill, context, cancellationToken).ConfigureAwait(false));
                        }
                    }

                    return (LoadedSkill?)null;
                },
                context,
                cancellationToken);

        /// <summary>Subscribes to changes of resources of the target; returns once the server agreed.</summary>
        public static Task<McpSubscription> SubscribeAsync(McpTarget target, IReadOnlyList<string> uris, McpCallContext context, CancellationToken cancellationToken)
            => OnClientAsync(target, client => client.SubscribeAsync(uris, context, cancellationToken), context, cancellationToken);
    }

    /// <summary>A skill's entry and its verified files, SKILL.md first.</summary>
    public sealed class LoadedSkill
    {
        public LoadedSkill(McpSkillInfo skill, IReadOnlyList<McpSkillFile> files)
        {
            Skill = skill;
            Files = files;
        }

        /// <summary>Gets the skill's entry in the server's list.</summary>
        public McpSkillInfo Skill { get; }

        /// <summary>Gets the verified files.</summary>
        public IReadOnlyList<McpSkillFile> Files { get; }
    }
}
