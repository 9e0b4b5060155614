using System;
using System.Collections.Generic;
using System.Linq;

namespace McpAuth.Core.Mcp
{
    /// <summary>Which generation of MCP a server speaks.</summary>
    public enum McpEra
    {
        /// <summary>2025-11-25 and earlier: an initialize handshake and a session.</summary>
        Legacy,

        /// <summary>2026-07-28 and later: stateless, every request carries its version and capabilities.</summary>
        Modern,
    }

    /// <summary>The MCP protocol versions this client speaks, newest first, by era.</summary>
    public static class McpProtocol
    {
        /// <summary>The newest revision: modern (stateless).</summary>
        public const string Latest = "2026-07-28";

        /// <summary>The newest legacy revision, offered in initialize.</summary>
        public const string LatestLegacy = "2025-11-25";

        /// <summary>Gets the modern versions this client speaks, in preference order.</summary>
        public static IReadOnlyList<string> Modern { get; } = new[] { "2026-07-28" };

        /// <summary>Gets the legacy versions this client accepts from initialize, newest first.</summary>
        public static IReadOnlyList<string> Legacy { get; } = new[] { "2025-11-25", "2025-06-18", "2025-03-26" };

        /// <summary>Gets every version this client speaks, newest first.</summary>
        public static IReadOnlyList<string> Supported { get; } = Modern.Concat(Legacy).ToArray();

        public static bool IsSupported(string? version) => version is not null && Supported.Contains(version, StringComparer.Ordinal);

        /// <summary>
        /// Returns true for a modern version: 2026-07-28 or any later date-shaped revision (so a server's
        /// list of versions this client does not know yet still tells which era it speaks).
        /// </summary>
        public static bool IsModern(string? version) => version is not null && string.CompareOrdinal(version, Latest) >= 0;

        /// <summary>Gets the era of a version.</summary>
        public static McpEra EraOf(string version) => IsModern(version) ? McpEra.Modern : McpEra.Legacy;

        /// <summary>The first of this client's modern versions the server also lists, or null.</summary>
        public static string? MutualModern(IEnumerable<string>? serverVersions)
        {
            if (serverVersions is null)
            {
                return null;
            }

            var offered = new HashSet<string>(serverVersions, StringComparer.Ordinal);
            return Modern.FirstOrDefault(offered.Contains);
        }
    }
}
