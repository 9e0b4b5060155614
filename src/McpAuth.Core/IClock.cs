using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core
{
    /// <summary>
    /// The engine's one source of time: what time it is (token expiry, renewal, issue and store times,
    /// client-secret expiry) and how long to wait between device-code polls. Injected wherever the engine
    /// reads the time, so tests move it instead of sleeping. Waits on other parties (an HTTP timeout, the
    /// store's lock, a browser) are measured in real elapsed time and do not go through it.
    /// </summary>
    public interface IClock
    {
        /// <summary>Gets the current time, in UTC.</summary>
        DateTimeOffset UtcNow { get; }

        /// <summary>Completes after <paramref name="delay"/> has passed on this clock, or throws when cancelled.</summary>
        Task Delay(TimeSpan delay, CancellationToken cancellationToken);
    }

    /// <summary>
    /// The machine's clock. <c>MCPAUTH_CLOCK_OFFSET_SECONDS</c> shifts it by that many seconds, read at each
    /// reading: a test aid that makes stored tokens look older (or newer) without waiting; leave it unset.
    /// </summary>
    public sealed class SystemClock : IClock
    {
        /// <summary>The environment variable that shifts this clock, in (possibly fractional, possibly negative) seconds.</summary>
        public const string OffsetVariable = "MCPAUTH_CLOCK_OFFSET_SECONDS";

        private SystemClock()
        {
        }

        /// <summary>Gets the one instance.</summary>
        public static SystemClock Instance { get; } = new SystemClock();

        /// <inheritdoc/>
        public DateTimeOffset UtcNow => DateTimeOffset.UtcNow + Offset();

        /// <inheritdoc/>
        public Task Delay(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);

        private static TimeSpan Offset()
        {
            string? text = Environment.GetEnvironmentVariable(OffsetVariable);
            return !string.IsNullOrEmpty(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.Zero;
        }
    }
}
