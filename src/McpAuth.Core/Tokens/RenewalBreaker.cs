using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// The storm breaker: a server that answers 401 to every token must not make McpAuth hammer an identity
    /// provider or open browser windows in a loop. Per server, it counts the tokens that renewals and sign-ins a
    /// 401 started have obtained since the server last accepted one; within a minute at most
    /// <see cref="MaxTokenRequests"/> renewals and <see cref="MaxSignIns"/> sign-in may obtain one, then the next
    /// is a typed error (<c>TokenRenewalThrottled</c>) until a minute has passed or the server accepts a token. A
    /// renewal or sign-in that fails obtains nothing and is not counted (its error is the answer). Explicit
    /// requests (a refresh or step-up the user asks for) are not counted; nor is a 403 step-up, which has its
    /// own bound.
    /// </summary>
    internal sealed class RenewalBreaker
    {
        /// <summary>How long a renewal counts.</summary>
        public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

        /// <summary>The most token requests a 401 may start per server within <see cref="Window"/>.</summary>
        public const int MaxTokenRequests = 4;

        /// <summary>The most sign-ins a 401 may start per server within <see cref="Window"/>.</summary>
        public const int MaxSignIns = 1;

        private readonly ConcurrentDictionary<string, Counts> servers = new ConcurrentDictionary<string, Counts>(StringComparer.Ordinal);

        /// <summary>Throws when renewals a 401 started already obtained the server's share of tokens.</summary>
        public void CheckRenewal(Uri server, DateTimeOffset now) => Check(server, now, signIn: false);

        /// <summary>Throws when sign-ins a 401 started already obtained the server's share of tokens.</summary>
        public void CheckSignIn(Uri server, DateTimeOffset now) => Check(server, now, signIn: true);

        /// <summary>Notes a token a renewal or sign-in that a 401 started obtained.</summary>
        public void Obtained(Uri server, DateTimeOffset now, bool signIn)
        {
            Counts counts = servers.GetOrAdd(Key(server), _ => new Counts());
            lock (counts)
            {
                (signIn ? counts.SignIns : counts.TokenRequests).Add(now);
            }
        }

        /// <summary>The server accepted a token: it is not in a storm; forget what was counted.</summary>
        public void Accepted(Uri server)
        {
            if (servers.TryGetValue(Key(server), out Counts? counts))
            {
                lock (counts)
                {
                    counts.TokenRequests.Clear();
                    counts.SignIns.Clear();
                }
            }
        }

        private void Check(Uri server, DateTimeOffset now, bool signIn)
        {
            Counts counts = servers.GetOrAdd(Key(server), _ => new Counts());
            lock (counts)
            {
                List<DateTimeOffset> times = signIn ? counts.SignIns : counts.TokenRequests;
                times.RemoveAll(t => now - t >= Window || t > now);
                int limit = signIn ? MaxSignIns : MaxTokenRequests;
                if (times.Count >= limit)
                {
                    TimeSpan wait = Window - (now - times[0]);
                    string what = signIn ? $"{limit} sign-in" : $"{limit} renewals";
                    throw new McpAuthException(
                        ErrorIds.TokenRenewalThrottled,
                        McpErrorKind.AuthenticationError,
                        $"{server} keeps rejecting the tokens it is given: after {what} for it in the last minute got tokens it did not accept, no more are made for now, so a server that answers 401 to everything cannot make this client hammer the identity provider or open sign-in windows in a loop. Check that the server trusts its authorization server, then try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} s.",
                        server);
                }
            }
        }

        private static string Key(Uri server) => server.AbsoluteUri;

        private sealed class Counts
        {
            public List<DateTimeOffset> TokenRequests { get; } = new List<DateTimeOffset>();

            public List<DateTimeOffset> SignIns { get; } = new List<DateTimeOffset>();
        }
    }
}
