using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>A skill an MCP server offers (skills/list, SEP-2640), as Get-McpSkill returns it. Pipe it to Read-McpSkill.</summary>
    public sealed class McpSkill
    {
        internal McpSkill(Uri serverUri, McpSkillInfo info)
        {
            ServerUri = serverUri;
            Info = info;
            SkillUri = info.Uri;
            Name = info.Name;
            Description = info.Description;
            Frontmatter = ToHashtable(info.Frontmatter);
            Resources = info.Resources.Select(r => new McpSkillResource(r)).ToArray();
        }

        /// <summary>Gets the MCP endpoint that offers the skill.</summary>
        public Uri ServerUri { get; }

        /// <summary>Gets the URI of the skill's SKILL.md.</summary>
        public string SkillUri { get; }

        public string? Name { get; }

        public string? Description { get; }

        /// <summary>Gets the frontmatter the server lists for the skill (strings and nested hashtables).</summary>
        public Hashtable Frontmatter { get; }

        /// <summary>Gets the files of the skill with the digest and size each must have.</summary>
        public McpSkillResource[] Resources { get; }

        internal McpSkillInfo Info { get; }

        public override string ToString() => Name ?? SkillUri;

        private static Hashtable ToHashtable(IReadOnlyDictionary<string, object> map)
        {
            var table = new Hashtable(StringComparer.Ordinal);
            foreach (KeyValuePair<string, object> kv in map)
            {
                table[kv.Key] = kv.Value is IReadOnlyDictionary<string, object> child ? ToHashtable(child) : kv.Value;
            }

            return table;
        }
    }

    /// <summary>One file a skill lists, with the digest (sha256:&lt;hex&gt;) and size (bytes) it must have.</summary>
    public sealed class McpSkillResource
    {
        internal McpSkillResource(McpSkillFileInfo info)
        {
            Uri = info.Uri;
            Digest = info.Digest;
            Size = info.Size;
        }

        public string Uri { get; }

        public string? Digest { get; }

        public long? Size { get; }

        public override string ToString() => Uri;
    }

    /// <summary>A loaded skill, as Read-McpSkill returns it: every file verified against the skill's entry.</summary>
    public sealed class McpLoadedSkill
    {
        internal McpLoadedSkill(McpSkill skill, IReadOnlyList<McpSkillFile> files)
        {
            Skill = skill;
            Files = files.Select(f => new McpVerifiedSkillFile(f)).ToArray();
        }

        public Uri ServerUri => Skill.ServerUri;

        public string SkillUri => Skill.SkillUri;

        public string? Name => Skill.Name;

        /// <summary>Gets the skill as Get-McpSkill described it.</summary>
        public McpSkill Skill { get; }

        /// <summary>Gets the verified files, SKILL.md first.</summary>
        public McpVerifiedSkillFile[] Files { get; }

        public override string ToString() => Name ?? SkillUri;
    }

    /// <summary>A verified file of a skill: its text (null when the server sent bytes), bytes and size.</summary>
    public sealed class McpVerifiedSkillFile
    {
        internal McpVerifiedSkillFile(McpSkillFile file)
        {
            Uri = file.Uri;
            Text = file.Text;
            Bytes = file.Bytes;
            Size = file.Size;
            MimeType = file.MimeType;
        }

        public string Uri { get; }

        public string? Text { get; }

        public byte[] Bytes { get; }

        public long Size { get; }

        public string? MimeType { get; }

        public override string ToString() => Uri;
    }
}
