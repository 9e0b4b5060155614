using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core;
using McpAuth.Core.Http;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;

namespace McpAuth
{
    /// <summary>
    /// The base of every McpAuth cmdlet. It owns the CancellationTokenSource that Ctrl+C cancels, runs
    /// engine work off the pipeline thread (all of it after the engine's first real await), and pumps the
    /// engine's callbacks (verbose, progress, prompts, script blocks) back onto the pipeline thread, which is
    /// the only thread allowed to write output.
    /// </summary>
    public abstract class McpCmdletBase : PSCmdlet
    {
        // How long a failed command waits for its cancelled engine work to end; it ends in milliseconds.
        private static readonly TimeSpan AbandonedWorkGrace = TimeSpan.FromSeconds(10);

        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private PipelinePump? pump;
        private StreamPreferences? preferences;

        /// <summary>Gets the token that is cancelled when the pipeline stops (Ctrl+C).</summary>
        protected CancellationToken StopToken => stopping.Token;

        /// <summary>Gets which diagnostic streams this command shows (read once, on the pipeline thread).</summary>
        internal StreamPreferences Preferences => preferences ??= StreamPreferences.Read(this);

        /// <summary>
        /// Starts <paramref name="operation"/> and processes its callbacks here until it ends. Returns its
        /// result; rethrows its exception. A cancelled operation after Ctrl+C becomes a stopped pipeline.
        /// </summary>
        /// <remarks>
        /// The operation starts on this thread with no synchronization context, so its synchronous start (building
        /// the request, up to the first await that does not complete at once) costs no thread-pool hop, and every
        /// continuation runs on the thread pool, never here. Engine code awaits its callbacks and never blocks on
        /// one, so starting here cannot deadlock: a prompt the start asks for is answered by the pump below.
        /// </remarks>
        protected T RunEngine<T>(Func<IEngineCallbacks, CancellationToken, Task<T>> operation)
        {
            var queue = new PipelinePump();
            PipelinePump? outer = pump;
            pump = queue;
            var callbacks = new PipelineCallbacks(this, queue);

            // One redaction scope for the whole command: every secret the engine creates or reveals for it (the
            // bearer token on an MCP request included) is masked in whatever a peer echoes back into error text.
            // The async flow of the operation keeps the scope after this thread leaves it.
            IDisposable secrets = OperationSecrets.Begin();

            // The operation's own token: Ctrl+C cancels it, and so does this command failing before the operation
            // ended (a warning turned into an error by -WarningAction Stop, say), so nothing of a failed command
            // goes on in the background holding locks or a sign-in listener.
            var abandon = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            Task<T>? task = null;
            try
            {
                SynchronizationContext? context = SynchronizationContext.Current;
                SynchronizationContext.SetSynchronizationContext(null);
                try
                {
                    // This thread waits for the operation anyway: HTTP exchanges the operation starts before its
                    // first real wait do their socket I/O here (DirectHttpHandler), with no thread-pool hop.
                    using (WaitingThread.Enter())
                    {
                        task = operation(callbacks, abandon.Token);
                    }
                }
                catch (Exception ex)
                {
                    task = Task.FromException<T>(ex);
                }
                finally
                {
                    SynchronizationContext.SetSynchronizationContext(context);
                }

                // Completing the pump is two field writes and a pulse: do it on the thread that ends the task
                // rather than waking another thread-pool worker for it.
                task.ContinueWith(_ => queue.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                queue.Run();

                try
                {
                    return task.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }
            }
            finally
            {
                secrets.Dispose();
                callbacks.Close();
                pump = outer;
                EndAbandoned(task, abandon);
            }
        }

        /// <summary>
        /// Cancels an operation this command leaves before it ended and waits (boundedly: the engine honours its
        /// token at once) for it to let go of what it holds. Its outcome is observed, never reported.
        /// </summary>
        private static void EndAbandoned(Task? task, CancellationTokenSource abandon)
        {
            if (task is not null && !task.IsCompleted)
            {
                abandon.Cancel();
                try
                {
                    task.Wait(AbandonedWorkGrace);
                }
                catch (AggregateException)
                {
                    // The command already failed with its own error.
                }
            }

            if (task is null || task.IsCompleted)
            {
                abandon.Dispose();
            }
            else
            {
                task.ContinueWith(t => { _ = t.Exception; abandon.Dispose(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        /// <summary>Runs engine work that has no result.</summary>
        protected void RunEngine(Func<IEngineCallbacks, CancellationToken, Task> operation)
        {
            RunEngine<bool>(async (callbacks, token) =>
            {
                await operation(callbacks, token).ConfigureAwait(false);
                return true;
            });
        }

        /// <summary>
        /// Runs <paramref name="action"/> on the pipeline thread while engine work is running, and returns
        /// its result to the engine. Used for prompts and user script blocks.
        /// </summary>
        internal Task<T> OnPipelineThread<T>(Func<T> action)
        {
            var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            PipelinePump? queue = pump;
            if (queue is null)
            {
                completion.SetException(new InvalidOperationException("No engine operation is running."));
                return completion.Task;
            }

            bool posted = queue.TryPost(() =>
            {
                try
                {
                    completion.TrySetResult(action());
                }
                catch (Exception ex)
                {
                    completion.TrySetException(ex);
                }
            });
            if (!posted)
            {
                // The operation already ended (or the pipeline stopped): nobody will run it.
                completion.TrySetCanceled();
            }

            return completion.Task;
        }

        /// <summary>Writes an engine error as a non-terminating error.</summary>
        protected void WriteEngineError(McpAuthException exception) => WriteError(ErrorMapper.ToErrorRecord(exception));

        /// <summary>Stops the pipeline for an engine error.</summary>
        protected void ThrowEngineError(McpAuthException exception) => ThrowTerminatingError(ErrorMapper.ToErrorRecord(exception));

        /// <summary>
        /// Writes a file of server content (Read-McpResource -OutFile/-OutDirectory, Save-McpContent, Invoke-McpTool
        /// -OutDirectory) and outputs it; a folder that does not exist, a read-only place or a bad path is the
        /// non-terminating error CannotWriteFile for that file, and the next content still comes.
        /// </summary>
        protected void WriteContentFile(string target, Func<System.IO.FileInfo> write)
        {
            System.IO.FileInfo file;
            try
            {
                file = write();
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is ArgumentException)
            {
                WriteError(new ErrorRecord(new System.IO.IOException($"Could not write '{target}': {ex.Message}", ex), "CannotWriteFile", ErrorCategory.WriteError, target));
                return;
            }

            // Outside the try: an exception of a later command in the pipeline is that command's, not a write error.
            WriteObject(file);
        }

        /// <summary>
        /// Gets a value indicating whether a person can answer prompts in this host: not under
        /// pwsh -NonInteractive, MCPAUTH_NONINTERACTIVE=1, a host without a UI, or a cmdlet that never prompts.
        /// </summary>
        protected bool HostIsInteractive => MayPrompt && HostInteraction.CanAskAPerson(Host);

        /// <summary>Gets a value indicating whether this cmdlet may prompt at all (Test-McpServer never does).</summary>
        protected virtual bool MayPrompt => true;

        /// <summary>
        /// Runs engine work like <see cref="RunEngine{T}"/>. When it fails because the system keychain cannot be
        /// used, the keychain is only the default (no -CredentialStore, no MCPAUTH_CREDENTIAL_STORE) and a
        /// person can answer, asks where to keep credentials for this session (memory, the plain-text opt-in,
        /// or stop) and runs the work once more. The answer is set for this process, so later commands use it
        /// without asking. A non-interactive session keeps the typed KeychainUnavailable error.
        /// </summary>
        protected T RunEngineOfferingStore<T>(Func<IEngineCallbacks, CancellationToken, Task<T>> operation)
        {
            try
            {
                return RunEngine(operation);
            }
            catch (CredentialStoreException ex) when (ex.ErrorId == ErrorIds.KeychainUnavailable
                && !MyInvocation.BoundParameters.ContainsKey("CredentialStore")
                && StoreChoice.DefaultKind() == CredentialStoreKind.Keychain
                && HostIsInteractive)
            {
                McpCredentialStore? chosen = HostPrompts.ChooseStoreWithoutKeychain(Host, ex.Message, StoreChoice.PlaintextPath());
                if (chosen is null)
                {
                    throw;
                }

                StoreChoice.UseForSession(chosen.Value);
                WriteWarning(chosen == McpCredentialStore.Memory
                    ? $"Credentials are kept in memory for this session only ({StoreChoice.StoreKindVariable}=memory is set in this process)."
                    : $"Credentials are stored unencrypted in {StoreChoice.PlaintextPath()} ({StoreChoice.StoreKindVariable}=plaintext and {StoreChoice.AllowPlaintextVariable}=1 are set in this process).");
                return RunEngine(operation);
            }
        }

        /// <inheritdoc/>
        protected override void StopProcessing()
        {
            stopping.Cancel();
            base.StopProcessing();
        }

        private sealed class PipelineCallbacks : IEngineCallbacks
        {
            private readonly McpCmdletBase cmdlet;
            private readonly PipelinePump queue;
            private readonly bool interactive;
            private readonly bool verbose;
            private readonly bool debug;
            private volatile bool closed;

            public PipelineCallbacks(McpCmdletBase cmdlet, PipelinePump queue)
            {
                this.cmdlet = cmdlet;
                this.queue = queue;
                interactive = cmdlet.HostIsInteractive;
                verbose = cmdlet.Preferences.Verbose;
                debug = cmdlet.Preferences.Debug;
            }

            public bool IsInteractive => interactive;

            public void Close() => closed = true;

            // A stream the command does not show would discard the message: drop it here rather than wake the
            // pipeline thread for nothing (a warm call reports a debug line per request).
            public void Verbose(string message)
            {
                if (verbose)
                {
                    Post(() => cmdlet.WriteVerbose(message));
                }
            }

            public void Debug(string message)
            {
                if (debug)
                {
                    Post(() => cmdlet.WriteDebug(message));
                }
            }

            public void Warning(string message) => Post(() => cmdlet.WriteWarning(message));

            public void Progress(ProgressUpdate update) => Post(() =>
            {
                var record = new ProgressRecord(update.ActivityId, update.Activity, string.IsNullOrEmpty(update.Status) ? " " : update.Status)
                {
                    PercentComplete = update.PercentComplete,
                    RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                };
                cmdlet.WriteProgress(record);
            });

            public Task<ElicitationResult> ElicitAsync(ElicitationRequest request, CancellationToken cancellationToken)
            {
                if (!interactive || closed)
                {
                    return Task.FromResult(ElicitationResult.Decline());
                }

                return cmdlet.OnPipelineThread(() => HostPrompts.Elicit(cmdlet.Host, request));
            }

            public void Information(string message) => Post(() =>
            {
                // Like Write-Host: shown by every host, and capturable from the information stream.
                var text = new HostInformationMessage { Message = message, NoNewLine = false };
                cmdlet.WriteInformation(text, new[] { "PSHOST", "McpAuth" });
            });

            public Task<Uri?> InvokeAuthorizationHandlerAsync(object handler, Uri authorizationUrl, CancellationToken cancellationToken)
            {
                if (handler is not ScriptBlock script)
                {
                    return Task.FromResult<Uri?>(null);
                }

                if (closed)
                {
                    return Task.FromResult<Uri?>(null);
                }

                return cmdlet.OnPipelineThread(() => AuthorizationHandler.Invoke(script, authorizationUrl));
            }

            public Task<string?> ReadLineAsync(string prompt, CancellationToken cancellationToken)
            {
                if (!interactive || closed || cmdlet.Host?.UI is null)
                {
                    return Task.FromResult<string?>(null);
                }

                // Read on the pipeline thread, key by key where the host allows it, so that the loopback callback
                // arriving first (the engine cancels the token) ends the prompt without a key press.
                return cmdlet.OnPipelineThread(() => HostPrompts.ReadPastedLine(cmdlet.Host, prompt, cancellationToken));
            }

            private void Post(Action action)
            {
                // After the operation finished the pump refuses it: late diagnostics are dropped.
                if (!closed)
                {
                    queue.TryPost(action);
                }
            }
        }
    }
}
