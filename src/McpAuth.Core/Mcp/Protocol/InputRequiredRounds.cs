using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Multi round-trip requests (MCP 2026-07-28): a tools/call, resources/read or prompts/get whose result is
    /// <c>input_required</c> is answered — each embedded request through the host (elicitation, form or URL
    /// mode; declined when nobody can answer) — and sent again as a new request carrying <c>inputResponses</c>
    /// and the server's <c>requestState</c> exactly as it came (none when none came), a bounded number of
    /// times. A result whose <c>resultType</c> is neither absent, <c>complete</c> nor <c>input_required</c> is
    /// a typed error: the client cannot know what it means.
    /// </summary>
    internal static class InputRequiredRounds
    {
        public const string Complete = "complete";
        public const string InputRequired = "input_required";

        /// <summary>Sends the request until its result is complete; <see cref="Answer.Retried"/> tells whether it took more than one round.</summary>
        /// <param name="target">The object errors are about (the tool name, resource URI or prompt name).</param>
        public static async Task<Answer> SendAsync(ProtocolEra era, string method, InputResponseParams parameters, IEnumerable<KeyValuePair<string, string>>? headers, object target, McpCallContext context, CancellationToken cancellationToken)
        {
            InputResponseParams current = parameters;
            for (int round = 0; ; round++)
            {
                JsonElement element = await era.SendAsync(method, current, headers, context, cancellationToken).ConfigureAwait(false);
                GenericResult result = JsonRpcCodec.Read(element, McpJsonContext.Default.GenericResult, method, target);
                switch (result.ResultType)
                {
                    case null:
                    case Complete:
                        return new Answer(element, round > 0);
                    case InputRequired when era.Era == McpEra.Modern:
                        break;
                    default:
                        throw new McpAuthException(
                            ErrorIds.UnknownResultType,
                            McpErrorKind.ProtocolError,
                            $"The server answered {current.Subject} with resultType '{ServerText.Sanitize(result.ResultType, 60)}', which this client does not know; the request's outcome is unknown.",
                            target);
                }

                if (round >= era.Options.MaxInputRounds)
                {
                    throw new McpAuthException(
                        ErrorIds.InputRequiredLoop,
                        McpErrorKind.ProtocolError,
                        $"The server asked for more input {round + 1} times for {current.Subject}; stopped. Check the answers the server expects.",
                        target);
                }

                JsonObject? responses = result.InputRequests is JsonObject requests ? await AnswerAsync(requests, current.Subject, target, context, cancellationToken).ConfigureAwait(false) : null;
                context.Callbacks.Verbose($"{current.Subject}: the server asked for input ({responses?.Count ?? 0} request(s)); sending the request again with the answers.");
                current = current.Retry(responses, result.RequestState);
            }
        }

        private static async Task<JsonObject> AnswerAsync(JsonObject requests, string subject, object target, McpCallContext context, CancellationToken cancellationToken)
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
                        $"To complete {subject} the server asks for '{ServerText.Sanitize(request?.Method ?? "(no method)", 60)}', which this client does not offer (it offers elicitation only).",
                        target);
                }

                ElicitReply reply = await ElicitationResponder.AnswerAsync(request.Params, urlModeOffered: true, context, cancellationToken).ConfigureAwait(false);
                responses[entry.Key] = JsonSerializer.SerializeToNode(reply, McpJsonContext.Default.ElicitReply);
            }

            return responses;
        }

        /// <summary>A complete result, and whether it took more than one round (then it must not be cached).</summary>
        internal readonly struct Answer
        {
            public Answer(JsonElement result, bool retried)
            {
                Result = result;
                Retried = retried;
            }

            public JsonElement Result { get; }

            public bool Retried { get; }
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
