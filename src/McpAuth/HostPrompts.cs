using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;
using System.Threading;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>Prompts through the PowerShell host (never System.Console).</summary>
    internal static class HostPrompts
    {
        /// <summary>Asks for an elicitation form's fields; an empty answer takes the schema default.</summary>
        public static ElicitationResult Elicit(PSHost host, ElicitationRequest request)
        {
            if (host?.UI is null)
            {
                return ElicitationResult.Decline();
            }

            var descriptions = new Collection<FieldDescription>();
            foreach (ElicitationField field in request.Fields)
            {
                var description = new FieldDescription(field.Name)
                {
                    Label = field.Title ?? field.Name,
                    HelpMessage = field.Description ?? string.Empty,
                    IsMandatory = false,
                };
                if (field.Default is not null)
                {
                    description.DefaultValue = new PSObject(System.Convert.ToString(field.Default, CultureInfo.InvariantCulture));
                }

                description.SetParameterType(typeof(string));
                descriptions.Add(description);
            }

            Dictionary<string, PSObject>? answers;
            try
            {
                answers = host.UI.Prompt("The MCP server asks for input", request.Message, descriptions);
            }
            catch (PromptingException)
            {
                return ElicitationResult.Cancel();
            }
            catch (NotImplementedException)
            {
                return ElicitationResult.Decline();
            }

            if (answers is null)
            {
                return ElicitationResult.Cancel();
            }

            var content = new Dictionary<string, object?>();
            foreach (ElicitationField field in request.Fields)
            {
                string? text = answers.TryGetValue(field.Name, out PSObject? value) ? value?.BaseObject?.ToString() : null;
                object? answer = string.IsNullOrEmpty(text) ? field.Default : Convert(field, text!);
                if (answer is not null)
                {
                    content[field.Name] = answer;
                }
            }

            return ElicitationResult.Accept(content);
        }

        /// <summary>
        /// Reads one pasted line, and gives up as soon as <paramref name="cancellationToken"/> is cancelled (the
        /// loopback listener received the code first). A console host is read key by key through RawUI with
        /// polling, so nothing blocks; a host that cannot poll its keyboard gets a plain ReadLine, and the
        /// prompt says that Enter is needed. Returns null when cancelled or at the end of the input.
        /// </summary>
        /// <exception cref="McpAuthException">InteractionRequired when the host refuses to read (pwsh -NonInteractive).</exception>
        public static string? ReadPastedLine(PSHost host, string prompt, CancellationToken cancellationToken)
        {
            try
            {
                PSHostRawUserInterface? raw = CanPollKeys(host) ? host.UI.RawUI : null;
                if (raw is null)
                {
                    host.UI.Write(prompt + "(This PowerShell host cannot stop this prompt by itself: once the browser says sign-in is complete, press Enter.) ");
                    return cancellationToken.IsCancellationRequested ? null : host.UI.ReadLine();
                }

                host.UI.Write(prompt);
                return ReadKeys(host, raw, cancellationToken);
            }
            catch (PSInvalidOperationException ex)
            {
                throw NobodyToAsk(ex);
            }
            catch (HostException ex)
            {
                throw NobodyToAsk(ex);
            }
        }

        /// <summary>
        /// Asks where to keep credentials when the system keychain cannot be used: in memory for this session,
        /// in a plain-text file only this user can read, or nowhere (stop). Returns the store, or null to stop.
        /// </summary>
        public static McpCredentialStore? ChooseStoreWithoutKeychain(PSHost host, string problem, string plaintextPath)
        {
            var choices = new Collection<ChoiceDescription>
            {
                new ChoiceDescription("&Memory", "Keep credentials in memory for this PowerShell session only. You sign in again in a new session."),
                new ChoiceDescription("&Plaintext", $"Store credentials in the file {plaintextPath}, readable only by your user account (mode 0600) but NOT encrypted: anyone who can read your files as you can use your tokens. A warning is shown each time it is used."),
                new ChoiceDescription("&Stop", "Store nothing and stop. Start a Secret Service (keychain) and run the command again."),
            };
            string message = problem + Environment.NewLine
                + "Where should McpAuth keep credentials for this session? [M] memory only; [P] a plain-text file only you can read (not encrypted); [S] stop.";
            int answer;
            try
            {
                answer = host.UI.PromptForChoice("The system keychain is not available", message, choices, 0);
            }
            catch (PSInvalidOperationException)
            {
                return null;
            }
            catch (HostException)
            {
                return null;
            }

            return answer switch
            {
                0 => McpCredentialStore.Memory,
                1 => McpCredentialStore.Plaintext,
                _ => null,
            };
        }

        private static bool CanPollKeys(PSHost host)
        {
            try
            {
                PSHostRawUserInterface? raw = host.UI.RawUI;
                if (raw is null)
                {
                    return false;
                }

                _ = raw.KeyAvailable; // throws where the keyboard cannot be polled
                return true;
            }
            catch (Exception ex) when (ex is NotImplementedException || ex is NotSupportedException || ex is InvalidOperationException || ex is HostException || ex is System.IO.IOException)
            {
                // No console keyboard (redirected input, a host without RawUI keys).
                return false;
            }
        }

        private static string? ReadKeys(PSHost host, PSHostRawUserInterface raw, CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    host.UI.WriteLine();
                    return null;
                }

                if (!raw.KeyAvailable)
                {
                    Thread.Sleep(50);
                    continue;
                }

                KeyInfo key = raw.ReadKey(ReadKeyOptions.NoEcho | ReadKeyOptions.IncludeKeyDown);
                if (key.Character == '\r' || key.Character == '\n' || key.VirtualKeyCode == 13)
                {
                    host.UI.WriteLine();
                    return line.ToString();
                }

                if (key.Character == '\b' || key.VirtualKeyCode == 8)
                {
                    if (line.Length > 0)
                    {
                        line.Length--;
                        host.UI.Write("\b \b");
                    }

                    continue;
                }

                if (!char.IsControl(key.Character))
                {
                    line.Append(key.Character);
                    host.UI.Write(key.Character.ToString());
                }
            }
        }

        private static McpAuthException NobodyToAsk(Exception inner) => new McpAuthException(
            ErrorIds.InteractionRequired,
            McpErrorKind.AuthenticationError,
            "This PowerShell session cannot read input (" + inner.Message + "), so nobody can complete the sign-in here. Sign in once in an interactive session, or automate it with -AuthorizationHandler, -UseDeviceCode or -ClientCredentials.",
            null,
            inner);

        private static object? Convert(ElicitationField field, string text)
        {
            switch (field.Type)
            {
                case "boolean":
                    if (bool.TryParse(text, out bool b))
                    {
                        return b;
                    }

                    string t = text.Trim().ToUpperInvariant();
                    return t == "Y" || t == "YES" || t == "1";
                case "integer":
                    return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : field.Default;
                case "number":
                    return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : field.Default;
                default:
                    return text;
            }
        }
    }
}
