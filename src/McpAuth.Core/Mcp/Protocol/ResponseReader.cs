using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Mcp
{
    /// <summary>What an era does with a message on a response stream that is not the answer.</summary>
    internal interface IIncomingMessages
    {
        Task HandleAsync(JsonRpcMessage message, McpCallContext context, CancellationToken cancellationToken);
    }

    /// <summary>
    /// Reads the answer to one request from a POST's response, the same way for both eras: a JSON body
    /// (one message, or a batch whose other messages are handled first), or an event stream whose
    /// notifications (and, from legacy servers, requests) go to the era until the answer arrives.
    /// </summary>
    internal static class ResponseReader
    {
        /// <summary>Returns the answer, or null when an event stream ended before it (the position says where).</summary>
        public static async Task<JsonRpcMessage?> ReadAnswerAsync(TransportResponse response, long id, IIncomingMessages incoming, StreamPosition position, McpCallContext context, CancellationToken cancellationToken)
        {
            switch (response.Kind)
            {
                case ResponseKind.Json:
                    IReadOnlyList<JsonRpcMessage> messages = await response.ReadJsonAsync(cancellationToken).ConfigureAwait(false);
                    JsonRpcMessage? answer = null;
                    foreach (JsonRpcMessage message in messages)
                    {
                        if (message.Answers(id))
                        {
                            answer = message;
                        }
                        else if (messages.Count > 1)
                        {
                            await incoming.HandleAsync(message, context, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    return answer ?? throw JsonRpcCodec.Malformed(
                        messages.Count > 1 ? "The server's batch did not answer the request." : "The server's JSON response does not answer the request that was sent.",
                        response.Endpoint,
                        null);
                case ResponseKind.EventStream:
                    JsonRpcMessage? found = null;
                    await response.ReadEventsAsync(
                        position,
                        async message =>
                        {
                            if (message.Answers(id))
                            {
                                found = message;
                                return true;
                            }

                            await incoming.HandleAsync(message, context, cancellationToken).ConfigureAwait(false);
                            return false;
                        },
                        context.Callbacks,
                        cancellationToken).ConfigureAwait(false);
                    return found;
                default:
                    throw new McpAuthException(ErrorIds.NotAnMcpServer, McpErrorKind.ProtocolError, $"{response.Endpoint} accepted the request but sent no response.", response.Endpoint);
            }
        }
    }
}
