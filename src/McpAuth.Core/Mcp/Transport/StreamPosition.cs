using System;
using System.Net.ServerSentEvents;

namespace McpAuth.Core.Mcp
{
    /// <summary>Where an event stream was: the last event id and the server's retry interval (legacy resumption).</summary>
    internal sealed class StreamPosition
    {
        public string? LastEventId { get; private set; }

        public TimeSpan? Retry { get; private set; }

        public void Update(SseParser<string> parser)
        {
            if (!string.IsNullOrEmpty(parser.LastEventId))
            {
                LastEventId = parser.LastEventId;
            }

            if (parser.ReconnectionInterval > TimeSpan.Zero && parser.ReconnectionInterval != System.Threading.Timeout.InfiniteTimeSpan)
            {
                Retry = parser.ReconnectionInterval;
            }
        }

        /// <summary>The wait before resuming: the server's retry, else the fallback, at most a minute.</summary>
        public TimeSpan Delay(TimeSpan fallback)
        {
            TimeSpan delay = Retry ?? fallback;
            return delay > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : delay;
        }
    }
}
