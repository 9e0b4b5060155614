using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Authorization;
using McpAuth.Core.Http;

namespace McpAuth.Core.Mcp
{
    /// <summary>
    /// Answers <c>elicitation/create</c> through the host, for a legacy server's own request and for a
    /// modern server's input request alike. Form mode asks for the fields (an empty answer takes the schema
    /// default). URL mode (modern servers) shows the page and its site and asks for consent, then opens it
    /// in the browser. When nobody can answer, the request is declined with a warning; nothing waits.
    /// </summary>
    internal static class ElicitationResponder
    {
        public static async Task<ElicitReply> AnswerAsync(JsonObject? parameters, bool urlModeOffered, McpCallContext context, CancellationToken cancellationToken)
        {
            IEngineCallbacks callbacks = context.Callbacks;
            string mode = parameters?["mode"] is JsonValue m && m.TryGetValue(out string? modeText) ? modeText : "form";
            ElicitationRequest request = ElicitationSchema.ToRequest(parameters);
            string message = ServerText.Sanitize(request.Message);
            if (mode == "url" && urlModeOffered)
            {
                return await AnswerUrlAsync(parameters, request, context, cancellationToken).ConfigureAwait(false);
            }

            if (mode != "form")
            {
                callbacks.Warning($"The server asked for '{ServerText.Sanitize(mode, 40)}' elicitation, which this client does not support; declined.");
                return new ElicitReply { Action = "decline" };
            }

            if (!callbacks.IsInteractive)
            {
                callbacks.Warning("The server asked for input (" + message + "), but this session is not interactive; declined.");
                return new ElicitReply { Action = "decline" };
            }

            ElicitationResult answer = await callbacks.ElicitAsync(request, cancellationToken).ConfigureAwait(false);
            var reply = new ElicitReply { Action = answer.Action };
            if (answer.Content is IReadOnlyDictionary<string, object?> content)
            {
                reply.Content = ElicitationSchema.ApplyDefaults(request, content);
            }

            return reply;
        }

        private static async Task<ElicitReply> AnswerUrlAsync(JsonObject? parameters, ElicitationRequest request, McpCallContext context, CancellationToken cancellationToken)
        {
            IEngineCallbacks callbacks = context.Callbacks;
            string text = parameters?["url"] is JsonValue u && u.TryGetValue(out string? s) ? s : string.Empty;
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || !EndpointPolicy.IsAllowed(url))
            {
                callbacks.Warning($"The server asked to open '{ServerText.Sanitize(text, 200)}', which is not an https address; declined.");
                return new ElicitReply { Action = "decline" };
            }

            string shown = ServerText.Sanitize(url.AbsoluteUri, 2000);
            if (!callbacks.IsInteractive)
            {
                callbacks.Warning($"The server asks you to open {shown} ({ServerText.Sanitize(request.Message)}), but this session is not interactive; declined.");
                return new ElicitReply { Action = "decline" };
            }

            // The consent is a one-field form (open: yes/no, default yes), which every host can ask for.
            var open = new ElicitationField("open", "boolean", required: false) { Title = "Open the page", Default = true };
            var consent = new ElicitationRequest(
                $"{ServerText.Sanitize(request.Message)}{Environment.NewLine}The server asks you to open a page on {url.Host}: {shown}",
                new[] { open },
                null)
            {
                Mode = "url",
                Url = url,
            };
            ElicitationResult answer = await callbacks.ElicitAsync(consent, cancellationToken).ConfigureAwait(false);
            bool accepted = answer.Action == "accept" && !(answer.Content is IReadOnlyDictionary<string, object?> c && c.TryGetValue("open", out object? value) && value is false);
            if (!accepted)
            {
                return new ElicitReply { Action = answer.Action == "accept" ? "decline" : answer.Action };
            }

            if (!BrowserLauncher.TryOpen(url, callbacks.Debug))
            {
                callbacks.Information($"Open this page in a browser to continue: {shown}");
            }

            return new ElicitReply { Action = "accept" };
        }
    }
}
