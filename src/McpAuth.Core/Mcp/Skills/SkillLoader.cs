using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Loads a skill (SEP-2640) with verification on read: SKILL.md first (size, then sha256 digest, then its YAML
    /// frontmatter field by field against the entry's), then each further listed file (size, digest). The first
    /// failure throws SkillVerificationFailed and nothing more is read; unverified content is never returned.
    /// </summary>
    internal static class SkillLoader
    {
        public static async Task<IReadOnlyList<McpSkillFile>> LoadAsync(McpSkillInfo skill, Func<string, Task<IReadOnlyList<McpContentBlock>>> read)
        {
            Guard.NotNull(skill, nameof(skill));
            McpSkillFileInfo? main = null;
            foreach (McpSkillFileInfo file in skill.Resources)
            {
                if (string.Equals(file.Uri, skill.Uri, StringComparison.Ordinal))
                {
                    main = file;
                }
            }

            if (main is null)
            {
                throw Failed(skill.Uri, "listing", "the skill's resources do not list its SKILL.md with a digest to verify it against");
            }

            var files = new List<McpSkillFile>();
            McpSkillFile skillFile = Verify(main, await read(main.Uri).ConfigureAwait(false));
            if (!SkillFrontmatter.TryParse(skillFile.Text ?? Encoding.UTF8.GetString(skillFile.Bytes), out IReadOnlyDictionary<string, object> parsed, out string error))
            {
                throw Failed(main.Uri, "frontmatter", "its YAML frontmatter could not be parsed: " + error);
            }

            if (SkillFrontmatter.Compare(parsed, skill.Frontmatter) is string difference)
            {
                throw Failed(main.Uri, "frontmatter", difference);
            }

            files.Add(skillFile);
            foreach (McpSkillFileInfo file in skill.Resources)
            {
                if (!ReferenceEquals(file, main))
                {
                    files.Add(Verify(file, await read(file.Uri).ConfigureAwait(false)));
                }
            }

            return files;
        }

        /// <summary>Checks one read against its entry: one content block, the size, then the sha256 digest.</summary>
        internal static McpSkillFile Verify(McpSkillFileInfo entry, IReadOnlyList<McpContentBlock> contents)
        {
            if (contents.Count != 1 || (contents[0].Text is null && contents[0].Bytes is null))
            {
                throw Failed(entry.Uri, "content", $"the server sent {contents.Count} content blocks, not one text or blob");
            }

            McpContentBlock block = contents[0];
            byte[] bytes = block.Bytes ?? new UTF8Encoding(false).GetBytes(block.Text!);
            if (entry.Size is long size && size != bytes.LongLength)
            {
                throw Failed(entry.Uri, "size", $"it is {bytes.LongLength} bytes, the entry says {size}");
            }

            if (entry.Digest is not string digest || !digest.StartsWith("sha256:", StringComparison.Ordinal))
            {
                throw Failed(entry.Uri, "digest", "the entry gives no sha256 digest to verify it against");
            }

            string actual = "sha256:" + Hex(Sha256(bytes));
            if (!string.Equals(actual, digest.ToLowerInvariant(), StringComparison.Ordinal))
            {
                throw Failed(entry.Uri, "digest", "its sha256 digest differs from the entry's");
            }

            return new McpSkillFile(entry.Uri, block.Bytes is null ? block.Text : null, bytes, block.MimeType);
        }

        private static byte[] Sha256(byte[] bytes)
        {
            using var sha = SHA256.Create();
            return sha.ComputeHash(bytes);
        }

        private static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (byte b in bytes)
            {
                sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        private static McpAuthException Failed(string uri, string check, string reason)
            => new McpAuthException(
                ErrorIds.SkillVerificationFailed,
                McpErrorKind.SecurityError,
                $"The skill file '{ServerText.Sanitize(uri, 300)}' failed the {check} check: {reason}. It was not used, and no further file of the skill was read.",
                uri);
    }
}
