using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Multi round-trip requests (MCP 2026-07-28): a tools/call whose result is <c>input_required</c> is
    /// answered — each embedded request through the host (elicitation, form or URL mode; declined when
    /// nobody can answer) — and sent again as a new request carrying <c>inputResponses</c> and the
    /// server's <c>requestState</c> exactly as it came (none when none came), a bounded number of times.
    /// A result whose <c>resultType</c> is neither absent, <c>complete</c> nor <c>input_required</c> is a
    /// typed error: the client cannot know what it means.
    /// </summary>
    internal static class InputRequiredRounds
    {
        public const string Complete = "complete";
        public const string InputRequired = "input_required";

        public static async Task<CallToolResult> CallAsync(ProtocolEra era, CallToolParams parameters, IEnumerable<KeyValuePair<string, string>>? headers, McpCallContext context, CancellationToken cancellationToken)
        {
            CallToolParams current = parameters;
            for (int round = 0; ; round++)
            {
                JsonElement element = await era.SendAsync("tools/call", current, headers, context, cancellationToken).ConfigureAwait(false);
                CallToolResult result = JsonRpcCodec.Read(element, McpJsonContext.Default.CallToolResult, "tools/call", current.Name);
                switch (result.ResultType)
                {
                    case null:
                    case Complete:
                        return result;
                    case InputRequired when era.Era == McpEra.Modern:
                        break;
                    default:
                        throw new McpAuthException(
                            ErrorIds.UnknownResultType,
                            McpErrorKind.ProtocolError,
                            $"The server answered tools/call '{current.Name}' with resultType '{ServerText.Sanitize(result.ResultType, 60)}', which this client does not know; the call's outcome is unknown.",
                            current.Name);
                }

                if (round >= era.Options.MaxInputRounds)
                {
                    throw new McpAuthException(
                        ErrorIds.InputRequiredLoop,
                        McpErrorKind.ProtocolError,
                        $"The server asked for more input {round + 1} times for tools/call '{current.Name}'; stopped. Check the answers the tool expects.",
                        current.Name);
                }

                JsonObject? responses = result.InputRequests is JsonObject requests ? await AnswerAsync(requests, current.Name, context, cancellationToken).ConfigureAwait(false) : null;
                context.Callbacks.Verbose($"tools/call '{current.Name}': the server asked for input ({responses?.Count ?? 0} request(s)); sending the call again with the answers.");
                current = current.Retry(responses, result.RequestState);
            }
        }

        private static async Task<JsonObject> AnswerAsync(JsonObject requests, string tool, McpCallContext context, CancellationToken cancellationToken)
        {
            var responses = new JsonObject();
            foreach (KeyValuePair<string, JsonNode?> entry in requests)
            {
                InputRequest? request = entry.Value is JsonObject o ? Read(o) : null;
                if (request?.Method != "elicitation/create")
                {
                    throw new McpAuthException(
                        ErrorIds.UnsupportedInputRequest,
                        McpErrorKind.ProtocolError,
                        $"To complete tools/call '{tool}' the server asks for '{ServerText.Sanitize(request?.Method ?? "(no method)", 60)}', which this client does not offer (it offers elicitation only).",
                        tool);
                }

                ElicitReply reply = await ElicitationResponder.AnswerAsync(request.Params, urlModeOffered: true, context, cancellationToken).ConfigureAwait(false);
                responses[entry.Key] = JsonSerializer.SerializeToNode(reply, McpJsonContext.Default.ElicitReply);
            }

            return responses;
        }

        private static InputRequest? Read(JsonObject node)
        {
            try
            {
                return node.Deserialize(McpJsonContext.Default.InputRequest);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
