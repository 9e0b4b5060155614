using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Finds out which era a server speaks, modern first (MCP 2026-07-28 versioning, dual-era client): a
    /// <c>server/discover</c> request with the newest version. A DiscoverResult naming a version both speak
    /// (directly, or after one -32022 correction) means modern. A legacy server's answer — a 4xx without a
    /// modern JSON-RPC error, a JSON-RPC error that is not a modern one, a result that is no
    /// DiscoverResult, a -32022 listing only legacy versions — means the legacy handshake. A 401/403 never
    /// decides anything: the OAuth handler signs in and the probe is sent again. Network failures,
    /// timeouts, 5xx and modern versions with nothing in common are typed errors.
    /// </summary>
    internal static class EraNegotiator
    {
        public static async Task<ProtocolEra> NegotiateAsync(StreamableHttpTransport transport, McpCallContext context, CancellationToken cancellationToken)
        {
            var modern = new ModernEra(transport, McpProtocol.Latest);
            string why;
            try
            {
                DiscoverResult? discover = await modern.DiscoverAsync(context, cancellationToken).ConfigureAwait(false);
                if (discover is not null && McpProtocol.MutualModern(discover.SupportedVersions) is not null)
                {
                    context.Callbacks.Verbose($"{transport.Endpoint} speaks MCP {modern.ProtocolVersion} (modern, stateless).");
                    return modern;
                }

                if (discover?.SupportedVersions?.Any(McpProtocol.IsModern) == true)
                {
                    throw new McpAuthException(
                        ErrorIds.UnsupportedProtocolVersion,
                        McpErrorKind.ProtocolError,
                        $"{transport.Endpoint} speaks MCP {string.Join(", ", discover.SupportedVersions.Select(v => Http.ServerText.Sanitize(v, 40)))}, none of which this client speaks ({string.Join(", ", McpProtocol.Supported)}).",
                        transport.Endpoint);
                }

                why = discover is null ? "its server/discover answer is no DiscoverResult" : "it lists only legacy versions";
            }
            catch (EraMismatchException ex)
            {
                why = ex.Message;
            }
            catch (McpJsonRpcException ex) when (!McpErrorCodes.IsModern(ex.Code) && ex.HttpStatus < 500)
            {
                why = ex.Message;
            }
            catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.MalformedResponse || ex.ErrorId == ErrorIds.NotAnMcpServer)
            {
                why = ex.Message;
            }

            modern.Dispose();
            context.Callbacks.Debug($"{transport.Endpoint} is not a modern MCP server ({why}); using the legacy handshake.");
            var legacy = new LegacyEra(transport);
            try
            {
                await legacy.EnsureInitializedAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                legacy.Dispose();
                throw;
            }

            return legacy;
        }
    }
}
