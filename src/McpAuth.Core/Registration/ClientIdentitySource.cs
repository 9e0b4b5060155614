using System.Text.Json.Serialization;

namespace McpAuth.Core.Registration
{
    /// <summary>Where a client identity came from, in the order the MCP authorization spec tries them.</summary>
    public enum ClientIdentitySource
    {
        /// <summary>The user supplied a client id (and maybe a secret or key) registered ahead of time.</summary>
        [JsonStringEnumMemberName("pre-registered")]
        PreRegistered,

        /// <summary>The client id is the https URL of a client ID metadata document.</summary>
        [JsonStringEnumMemberName("metadata-document")]
        MetadataDocument,

        /// <summary>The authorization server issued the client id through RFC 7591 dynamic registration.</summary>
        [JsonStringEnumMemberName("dynamic-registration")]
        DynamicRegistration,
    }
}
