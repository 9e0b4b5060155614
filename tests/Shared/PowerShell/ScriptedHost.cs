using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace McpAuth.Testing
{
    /// <summary>
    /// A PowerShell host that behaves like an interactive console but answers prompts from a script:
    /// queued lines for Read-Host style input and a handler for Prompt(). The module sees an interactive
    /// host (it has a RawUI and a name other than "Default Host").
    /// </summary>
    public sealed class ScriptedHost : PSHost
    {
        private readonly ScriptedHostUserInterface ui;
        private readonly Guid id = Guid.NewGuid();

        public ScriptedHost(TextWriter? transcript = null)
        {
            ui = new ScriptedHostUserInterface(transcript ?? TextWriter.Null);
        }

        /// <summary>Gets lines that ReadLine returns, in order.</summary>
        public ConcurrentQueue<string> InputLines => ui.InputLines;

        /// <summary>Gets or sets the answer to Prompt(); the default answers every field with an empty string.</summary>
        public Func<string, string, Collection<FieldDescription>, Dictionary<string, PSObject>>? PromptHandler
        {
            get => ui.PromptHandler;
            set => ui.PromptHandler = value;
        }

        /// <summary>Gets the keys RawUI.ReadKey returns, in order (a console keyboard).</summary>
        public ConcurrentQueue<KeyInfo> Keys => ui.RawKeys;

        /// <summary>
        /// Gets or sets a value indicating whether the keyboard can be polled (RawUI.KeyAvailable works). When
        /// false, KeyAvailable throws as it does for a host without a console keyboard.
        /// </summary>
        public bool KeyboardPolling
        {
            get => ui.KeyboardPolling;
            set => ui.KeyboardPolling = value;
        }

        /// <summary>Types <paramref name="text"/> and Enter on the keyboard.</summary>
        public void Type(string text)
        {
            foreach (char c in text)
            {
                Keys.Enqueue(new KeyInfo(c, c, ControlKeyStates.NumLockOn, keyDown: true));
            }

            Keys.Enqueue(new KeyInfo(13, '\r', ControlKeyStates.NumLockOn, keyDown: true));
        }

        /// <summary>Gets everything the host was asked to show, one entry a call.</summary>
        public ConcurrentQueue<string> Shown => ui.Shown;

        /// <summary>Gets or sets what ReadLine answers when no queued line is left (it may look at <see cref="Shown"/>).</summary>
        public Func<string>? ReadLineHandler
        {
            get => ui.ReadLineHandler;
            set => ui.ReadLineHandler = value;
        }

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

        public override Guid InstanceId => id;

        public override string Name => "McpAuthScriptedHost";

        public override PSHostUserInterface UI => ui;

        public override Version Version => new Version(1, 0);

        public override void EnterNestedPrompt() => throw new NotSupportedException();

        public override void ExitNestedPrompt() => throw new NotSupportedException();

        public override void NotifyBeginApplication()
        {
        }

        public override void NotifyEndApplication()
        {
        }

        public override void SetShouldExit(int exitCode)
        {
        }

        private sealed class ScriptedHostUserInterface : PSHostUserInterface
        {
            private readonly TextWriter transcript;
            private readonly ScriptedRawUserInterface raw = new ScriptedRawUserInterface();

            public ConcurrentQueue<KeyInfo> RawKeys => raw.Keys;

            public bool KeyboardPolling
            {
                get => raw.Polling;
                set => raw.Polling = value;
            }

            public ScriptedHostUserInterface(TextWriter transcript)
            {
                this.transcript = transcript;
            }

            public ConcurrentQueue<string> InputLines { get; } = new ConcurrentQueue<string>();

            public ConcurrentQueue<string> Shown { get; } = new ConcurrentQueue<string>();

            public Func<string, string, Collection<FieldDescription>, Dictionary<string, PSObject>>? PromptHandler { get; set; }

            public Func<string>? ReadLineHandler { get; set; }

            public override PSHostRawUserInterface RawUI => raw;

            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            {
                Show("PROMPT: " + caption + ": " + message);
                if (PromptHandler is not null)
                {
                    return PromptHandler(caption, message, descriptions);
                }

                var answers = new Dictionary<string, PSObject>();
                foreach (FieldDescription d in descriptions)
                {
                    answers[d.Name] = new PSObject(InputLines.TryDequeue(out string? line) ? line : string.Empty);
                }

                return answers;
            }

            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            {
                Show("CHOICE: " + caption + ": " + message);
                return InputLines.TryDequeue(out string? line) && int.TryParse(line, out int i) ? i : defaultChoice;
            }

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
                => throw new NotSupportedException();

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
                => throw new NotSupportedException();

            public override string ReadLine() => InputLines.TryDequeue(out string? line) ? line : ReadLineHandler?.Invoke() ?? string.Empty;

            public override SecureString ReadLineAsSecureString()
            {
                var s = new SecureString();
                foreach (char c in ReadLine())
                {
                    s.AppendChar(c);
                }

                return s;
            }

            public override void Write(string value) => Show(value);

            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Show(value);

            public override void WriteDebugLine(string message) => Show("DEBUG: " + message);

            public override void WriteErrorLine(string value) => Show("ERROR: " + value);

            public override void WriteLine(string value) => Show(value);

            public override void WriteProgress(long sourceId, ProgressRecord record) => Show("PROGRESS: " + record.Activity + ": " + record.StatusDescription);

            public override void WriteVerboseLine(string message) => Show("VERBOSE: " + message);

            public override void WriteWarningLine(string message) => Show("WARNING: " + message);

            private void Show(string text)
            {
                Shown.Enqueue(text);
                lock (transcript)
                {
                    transcript.WriteLine(text);
                    transcript.Flush();
                }
            }
        }

        private sealed class ScriptedRawUserInterface : PSHostRawUserInterface
        {
            public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

            public override Size BufferSize { get; set; } = new Size(120, 50);

            public override Coordinates CursorPosition { get; set; }

            public override int CursorSize { get; set; } = 1;

            public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;

            public ConcurrentQueue<KeyInfo> Keys { get; } = new ConcurrentQueue<KeyInfo>();

            public bool Polling { get; set; } = true;

            public override bool KeyAvailable => Polling ? !Keys.IsEmpty : throw new NotImplementedException("this host has no console keyboard");

            public override Size MaxPhysicalWindowSize => new Size(120, 50);

            public override Size MaxWindowSize => new Size(120, 50);

            public override Coordinates WindowPosition { get; set; }

            public override Size WindowSize { get; set; } = new Size(120, 50);

            public override string WindowTitle { get; set; } = "McpAuth";

            public override void FlushInputBuffer()
            {
            }

            public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];

            public override KeyInfo ReadKey(ReadKeyOptions options)
            {
                while (true)
                {
                    if (Keys.TryDequeue(out KeyInfo key))
                    {
                        return key;
                    }

                    System.Threading.Thread.Sleep(10);
                }
            }

            public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill)
            {
            }

            public override void SetBufferContents(Coordinates origin, BufferCell[,] contents)
            {
            }

            public override void SetBufferContents(Rectangle rectangle, BufferCell fill)
            {
            }
        }
    }
}
