using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>Skills (SEP-2640, the io.modelcontextprotocol/skills extension): listing reads no file; loading verifies every file it reads.</summary>
    public sealed partial class McpClient
    {
        /// <summary>The extension's identifier in the server's capabilities.extensions.</summary>
        public const string SkillsExtension = "io.modelcontextprotocol/skills";

        /// <summary>
        /// Lists every skill (skills/list, every page) without reading any of their files. A server that does not
        /// declare the skills extension is SkillsNotSupported.
        /// </summary>
        public Task<IReadOnlyList<McpSkillInfo>> ListSkillsAsync(McpCallContext context, CancellationToken cancellationToken)
            => WithEraAsync(
                async current =>
                {
                    if (current.Server.Capabilities?["extensions"] is not JsonObject extensions || !extensions.ContainsKey(SkillsExtension))
                    {
                        throw new McpAuthException(ErrorIds.SkillsNotSupported, McpErrorKind.InvalidOperation, $"{current.Endpoint} does not declare the skills extension ({SkillsExtension}) in its capabilities.", current.Endpoint);
                    }

                    PagedLister.Listing<McpSkillInfo> listing = await PagedLister.ReadAllAsync(current, "skills/list", McpJsonContext.Default.ListSkillsResult, McpSkillInfo.FromJson, context, cancellationToken).ConfigureAwait(false);
                    return listing.Items;
                },
                context,
                cancellationToken);

        /// <summary>
        /// Loads a skill: reads its SKILL.md and verifies size, digest and frontmatter, then reads and verifies each
        /// further file it lists. The first failure is SkillVerificationFailed and nothing more is read.
        /// </summary>
        public Task<IReadOnlyList<McpSkillFile>> LoadSkillAsync(McpSkillInfo skill, McpCallContext context, CancellationToken cancellationToken)
            => SkillLoader.LoadAsync(skill, uri => ReadResourceAsync(uri, context, cancellationToken));
    }
}
