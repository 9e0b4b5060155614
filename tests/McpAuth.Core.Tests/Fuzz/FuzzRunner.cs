using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Mcp;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;

namespace McpAuth.Core.Tests.Fuzz
{
    /// <summary>How a case ended.</summary>
    public enum FuzzOutcome
    {
        /// <summary>The engine got through (the mutation was harmless or tolerated).</summary>
        Ok,

        /// <summary>A McpAuthException with a stable id: what hostile input must produce.</summary>
        Typed,

        /// <summary>Any other exception, or a McpAuthException whose id is not in ErrorIds.</summary>
        Untyped,

        /// <summary>An operation ran past its deadline (plus slack).</summary>
        Hang,

        /// <summary>A planted secret appeared in an exception or a message.</summary>
        Leak,

        /// <summary>The test's own world failed (a bug in the fuzzer, not the engine).</summary>
        WorldFault,
    }

    /// <summary>How the fuzz run is sized and timed.</summary>
    public sealed class FuzzSettings
    {
        /// <summary>Gets the seed every case derives from.</summary>
        public int Seed { get; init; } = 20261204;

        public int Cases { get; init; } = 200;

        /// <summary>Gets the one case to run alone (replay), or null for all.</summary>
        public int? OnlyCase { get; init; }

        /// <summary>Gets the engine's per-operation deadline (-TimeoutSec).</summary>
        public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(2);

        /// <summary>Gets how long one operation may run before it counts as a hang: the deadline plus slack for a loaded machine.</summary>
        public TimeSpan HangLimit { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>Reads the settings from MCPAUTH_FUZZ_CASES, MCPAUTH_FUZZ_SEED and MCPAUTH_FUZZ_CASE.</summary>
        public static FuzzSettings FromEnvironment(int defaultCases)
        {
            static int? Read(string name) => int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? v : null;
            return new FuzzSettings
            {
                Cases = Read("MCPAUTH_FUZZ_CASES") ?? defaultCases,
                Seed = Read("MCPAUTH_FUZZ_SEED") ?? 20261204,
                OnlyCase = Read("MCPAUTH_FUZZ_CASE"),
            };
        }
    }

    /// <summary>One case's plan and result.</summary>
    public sealed class FuzzCaseResult
    {
        public int Index { get; init; }

        public FuzzEra Era { get; init; }

        public bool EventStream { get; init; }

        public FuzzMutation? Mutation { get; init; }

        public FuzzOutcome Outcome { get; set; }

        /// <summary>Gets or sets the phase that failed (call, refresh, call-again, close).</summary>
        public string Phase { get; set; } = string.Empty;

        /// <summary>Gets or sets the error id (typed) or the exception type (untyped).</summary>
        public string What { get; set; } = string.Empty;

        /// <summary>Gets or sets the detail for the report, secrets masked.</summary>
        public string Detail { get; set; } = string.Empty;

        public TimeSpan Elapsed { get; set; }

        /// <summary>Gets or sets the #11 defect this finding is known as (allow-listed), or null.</summary>
        public int? KnownDefect { get; set; }

        public bool IsFinding => Outcome is FuzzOutcome.Untyped or FuzzOutcome.Hang or FuzzOutcome.Leak or FuzzOutcome.WorldFault;

        public string Plan => $"case {Index} ({Era}, {(EventStream ? "SSE" : "JSON")}): {Mutation?.ToString() ?? "honest"}";

        public override string ToString() => $"{Plan} -> {Outcome} in {Phase}: {What} {Detail}".TrimEnd();
    }

    /// <summary>
    /// Runs fuzz cases against the real engine: each case starts a <see cref="FuzzWorld"/> on 127.0.0.1:0 with
    /// one stage mutated, connects the real McpConnection to it (discovery, dynamic registration, sign-in with
    /// PKCE through the authorization handler, the token endpoint, the MCP client in the case's era), calls a
    /// tool, forces a refresh, calls again and closes, inside one redaction scope as a cmdlet does.
    /// </summary>
    public sealed class FuzzRunner
    {
        private static readonly HashSet<string> StableIds = new(
            typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!),
            StringComparer.Ordinal);

        // One store for the run, as one process has; cases never share a credential (per-case resource and issuer).
        private static readonly CredentialStoreOptions Store = new() { Kind = CredentialStoreKind.Memory };

        private readonly FuzzSettings settings;
        private readonly PhaseTimes times = new();

        public FuzzRunner(FuzzSettings settings)
        {
            this.settings = settings;
        }

        /// <summary>Plans case <paramref name="index"/>: era, framing, stage and generator, all from the seed.</summary>
        public static (FuzzEra Era, bool EventStream, FuzzMutation Mutation, Random World) PlanCase(int seed, int index)
        {
            var plan = new Random(unchecked((seed * 7919) + index));
            FuzzEra era = plan.Next(2) == 0 ? FuzzEra.Modern : FuzzEra.Legacy;
            bool eventStream = plan.Next(2) == 0;
            string[] stages = FuzzStages.Auth.Concat(era == FuzzEra.Modern ? FuzzStages.Modern : FuzzStages.Legacy).ToArray();
            List<FuzzGenerator> usable = FuzzGenerators.All.Where(g => stages.Any(s => g.AppliesTo(new StageContext(s, era, eventStream)))).ToList();
            int roll = plan.Next(usable.Sum(g => g.Weight));
            FuzzGenerator generator = usable.First(g => (roll -= g.Weight) < 0);
            string[] where = stages.Where(s => generator.AppliesTo(new StageContext(s, era, eventStream))).ToArray();
            string stage = where[plan.Next(where.Length)];
            var mutation = new FuzzMutation(generator.Name, stage, sticky: plan.Next(3) == 0);
            generator.Configure(mutation, plan);
            return (era, eventStream, mutation, new Random(plan.Next()));
        }

        /// <summary>Runs one honest case (no mutation) with a generous deadline; it must succeed.</summary>
        public Task<FuzzCaseResult> RunHonestAsync(int index, FuzzEra era, bool eventStream) =>
            RunAsync(index, era, eventStream, null, new Random(index), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), new PhaseTimes());

        public Task<FuzzCaseResult> RunCaseAsync(int index)
        {
            (FuzzEra era, bool eventStream, FuzzMutation mutation, Random world) = PlanCase(settings.Seed, index);
            return RunAsync(index, era, eventStream, mutation, world, settings.Deadline, settings.HangLimit, times);
        }

        private static async Task<FuzzCaseResult> RunAsync(int index, FuzzEra era, bool eventStream, FuzzMutation? mutation, Random random, TimeSpan deadline, TimeSpan hangLimit, PhaseTimes times)
        {
            var result = new FuzzCaseResult { Index = index, Era = era, EventStream = eventStream, Mutation = mutation };
            var world = new FuzzWorld(index, random, era, eventStream, mutation);
            var callbacks = new RecordingCallbacks();
            var options = new McpConnectOptions
            {
                Timeout = deadline,
                SignIn = new SignInOptions
                {
                    Method = AuthorizationMethod.Handler,
                    MethodChosen = true,
                    AuthorizationHandler = (Func<Uri, CancellationToken, Task<Uri?>>)world.ApproveAsync,
                    Store = Store,
                    SignInTimeout = deadline + TimeSpan.FromSeconds(1),
                },
            };
            var connection = new McpConnection(world.McpUrl, options);
            using var caller = new CancellationTokenSource();
            var context = new McpCallContext(callbacks);
            var phase = new StrongBox<string>("connect");
            var arguments = new Dictionary<string, object?> { ["message"] = "hi" };
            var clock = Stopwatch.StartNew();
            var phaseClock = new StrongBox<Stopwatch>(Stopwatch.StartNew());

            async Task Phases()
            {
                using IDisposable scope = OperationSecrets.Begin();
                async Task Run(string name, Func<Task> step)
                {
                    phase.Value = name;
                    phaseClock.Value = Stopwatch.StartNew();
                    try
                    {
                        await step();
                    }
                    finally
                    {
                        times.Add(phaseClock.Value.Elapsed);
                    }
                }

                await Run("call", () => connection.Client.CallToolAsync("echo", arguments, context, caller.Token));
                if (connection.OAuth.HasToken)
                {
                    await Run("refresh", () => connection.OAuth.GetTokenAsync(null, forceRefresh: true, callbacks, caller.Token));
                }

                await Run("call-again", () => connection.Client.CallToolAsync("echo", arguments, context, caller.Token));
                await Run("close", () => connection.CloseAsync(context, caller.Token));
            }

            Task work = Task.Run(Phases);
            Exception? failure = null;
            try
            {
                // Each operation gets the hang limit; the case as a whole at most four of them. On a machine so loaded
                // that ordinary operations take seconds, the limit grows with them (a real hang never ends).
                TimeSpan limit = times.Limit(hangLimit);
                while (!work.IsCompleted)
                {
                    Task done = await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(100)));
                    if (done != work && phaseClock.Value.Elapsed > limit)
                    {
                        result.Outcome = FuzzOutcome.Hang;
                        result.Phase = phase.Value!;
                        result.What = "hang";
                        result.Detail = $"still running after {phaseClock.Value.Elapsed.TotalSeconds:0.#} s (deadline {deadline.TotalSeconds:0.#} s, hang limit {limit.TotalSeconds:0.#} s)";
                        caller.Cancel();
                        world.Dispose();
                        if (await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(10))) != work)
                        {
                            result.Detail += "; did not stop when cancelled";
                        }

                        break;
                    }
                }

                if (result.Outcome != FuzzOutcome.Hang)
                {
                    await work;
                    result.Outcome = FuzzOutcome.Ok;
                }
            }
            catch (Exception ex)
            {
                failure = ex;
                result.Phase = phase.Value!;
                if (ex is McpAuthException typed && StableIds.Contains(typed.ErrorId))
                {
                    result.Outcome = FuzzOutcome.Typed;
                    result.What = typed.ErrorId;
                }
                else
                {
                    result.Outcome = FuzzOutcome.Untyped;
                    result.What = ex is McpAuthException odd ? "McpAuthException with unknown id '" + odd.ErrorId + "'" : ex.GetType().FullName!;
                    result.Detail = world.Secrets.Mask(Shorten(ex.Message, 240) + " at " + FirstFrame(ex));
                }
            }
            finally
            {
                result.Elapsed = clock.Elapsed;
                connection.Dispose();
                world.Dispose();
            }

            await ForgetAsync(world);

            // Nothing the engine said may carry a secret the world planted, in any form.
            var texts = new List<(string Where, string Text)>();
            if (failure is not null)
            {
                texts.Add(("exception", failure.ToString()));
                for (Exception? e = failure; e is not null; e = e.InnerException)
                {
                    texts.Add(("exception message", e.Message));
                    texts.AddRange(e.Data.Cast<DictionaryEntry>().Select(d => ("exception data", $"{d.Key}={d.Value}")));
                    if (e is McpAuthException m && m.Target is not null)
                    {
                        texts.Add(("exception target", m.Target.ToString() ?? string.Empty));
                    }
                }
            }

            texts.AddRange(callbacks.Messages.Select(m => ("message", m)));
            foreach ((string where, string text) in texts)
            {
                if (world.Secrets.FindIn(text) is string kind)
                {
                    string before = result.Outcome + " " + result.What;
                    result.Outcome = FuzzOutcome.Leak;
                    result.What = $"{kind} in {where}";
                    result.Detail = (before + ": " + world.Secrets.Mask(Shorten(text, 300))).Trim();
                    break;
                }
            }

            if (world.Server.HandlerFault is Exception fault)
            {
                // A bug of the test's own world: reported as a finding, so it is fixed and never hides a case.
                result.Outcome = FuzzOutcome.WorldFault;
                result.What = "fuzz world fault";
                result.Detail = fault.GetType().Name + ": " + fault.Message + " at " + fault.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Fuzz", StringComparison.Ordinal))?.Trim();
            }

            return result;
        }

        /// <summary>
        /// Removes the case's credentials (and its registered client) from the process's store: every operation reads
        /// the whole store, so thousands of cases' records would make each later case slower than the last.
        /// </summary>
        private static async Task ForgetAsync(FuzzWorld world)
        {
            TokenCache cache = TokenCache.For(Store);
            foreach (CredentialRecord record in await cache.Store.ListAsync(NullEngineCallbacks.Instance, CancellationToken.None))
            {
                if (record.Key.Issuer.StartsWith(world.Issuer, StringComparison.Ordinal) || record.Key.Resource.StartsWith(world.Origin + world.Prefix + "/", StringComparison.Ordinal))
                {
                    await cache.RemoveAsync(record.Key, NullEngineCallbacks.Instance, CancellationToken.None);
                }
            }
        }

        private static string Shorten(string text, int max) => (text.Length <= max ? text : text.Substring(0, max) + "...").Replace("\r", "\\r").Replace("\n", "\\n");

        private static string FirstFrame(Exception ex)
        {
            string? frame = ex.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("McpAuth.Core.", StringComparison.Ordinal) && !l.Contains(".Tests.", StringComparison.Ordinal))
                ?? ex.StackTrace?.Split('\n').FirstOrDefault()?.Trim();
            return frame ?? "(no stack)";
        }

        /// <summary>A reference cell a local async function can write and the caller read.</summary>
        private sealed class StrongBox<T>
        {
            public StrongBox(T value) => Value = value;

            public T Value { get; set; }
        }
    }

    /// <summary>How long recent operations took, so the hang limit follows the machine's load.</summary>
    public sealed class PhaseTimes
    {
        private readonly Queue<TimeSpan> recent = new();

        public void Add(TimeSpan elapsed)
        {
            lock (recent)
            {
                recent.Enqueue(elapsed);
                if (recent.Count > 100)
                {
                    recent.Dequeue();
                }
            }
        }

        /// <summary>The larger of <paramref name="floor"/> and four times the 90th percentile of the last 100 operations.</summary>
        public TimeSpan Limit(TimeSpan floor)
        {
            lock (recent)
            {
                if (recent.Count < 20)
                {
                    return floor;
                }

                TimeSpan p90 = recent.OrderBy(t => t).ElementAt((int)(recent.Count * 0.9));
                return TimeSpan.FromTicks(Math.Max(floor.Ticks, p90.Ticks * 4));
            }
        }
    }

    /// <summary>Unobserved exceptions of background tasks during the run (a crash nobody awaited).</summary>
    public sealed class UnobservedExceptions : IDisposable
    {
        private readonly ConcurrentQueue<Exception> seen = new();

        public UnobservedExceptions() => TaskScheduler.UnobservedTaskException += OnUnobserved;

        /// <summary>Gets the unobserved exceptions that came from engine code.</summary>
        public IReadOnlyList<Exception> FromEngine
        {
            get
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                return seen.Where(e => e.ToString().Contains("McpAuth.Core.", StringComparison.Ordinal) && !e.ToString().Contains("Tests.Fuzz", StringComparison.Ordinal)).ToList();
            }
        }

        public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

        private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            foreach (Exception inner in e.Exception.InnerExceptions)
            {
                seen.Enqueue(inner);
            }
        }
    }
}
