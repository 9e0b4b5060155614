using System.Text.Json;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Request-scoped notifications on a response stream, for both eras: <c>notifications/progress</c>
    /// for the call's own token becomes a progress update, <c>notifications/message</c> becomes verbose
    /// output (debug-level messages become debug output). Anything else is noted in debug output.
    /// </summary>
    internal static class NotificationRouter
    {
        public static void Handle(JsonRpcMessage message, McpCallContext context)
        {
            IEngineCallbacks callbacks = context.Callbacks;
            switch (message.Method)
            {
                case "notifications/progress":
                    ProgressParams? p = JsonRpcCodec.TryRead(message.Params, McpJsonContext.Default.ProgressParams);
                    if (context.Progress is ProgressReporter progress && p?.ProgressToken is JsonElement token && IsToken(token, progress.Token))
                    {
                        progress.Report(callbacks, p.Progress ?? 0, p.Total, p.Message is null ? null : ServerText.Sanitize(p.Message));
                    }

                    break;
                case "notifications/message":
                    LogMessageParams? log = JsonRpcCodec.TryRead(message.Params, McpJsonContext.Default.LogMessageParams);
                    if (log is not null)
                    {
                        string level = ServerText.Sanitize(log.Level ?? "info", 20);
                        string logger = string.IsNullOrEmpty(log.Logger) ? string.Empty : " " + ServerText.Sanitize(log.Logger, 60);
                        string data = log.Data is JsonElement d ? (d.ValueKind == JsonValueKind.String ? d.GetString()! : d.GetRawText()) : string.Empty;
                        string text = $"Server log ({level}{logger}): {ServerText.Sanitize(data, 2000)}";
                        if (level == "debug")
                        {
                            callbacks.Debug(text);
                        }
                        else
                        {
                            callbacks.Verbose(text);
                        }
                    }

                    break;
                default:
                    callbacks.Debug("Server notification: " + ServerText.Sanitize(message.Method, 100));
                    break;
            }
        }

        // The call's token as the server sent it back: the number, or (from a server that turned it into text) its digits.
        private static bool IsToken(JsonElement token, long expected) => token.ValueKind switch
        {
            JsonValueKind.Number => token.TryGetInt64(out long n) && n == expected,
            JsonValueKind.String => token.GetString() == expected.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => false,
        };
    }
}
