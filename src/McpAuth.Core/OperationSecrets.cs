using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace McpAuth.Core
{
    /// <summary>
    /// Every secret one engine operation has handled, so that text a peer sends back can be redacted of all of
    /// them in one place (<see cref="Http.ServerText"/>), in the forms a server might echo: as sent, URL- and
    /// form-encoded, base64 and base64url, and inside any base64 or base64url text that decodes to something
    /// holding one (an echoed Basic header, "Bearer ..." header or whole form body, at any alignment). A <see cref="Secret"/> is registered when it is created or revealed
    /// inside an operation; an operation is what runs between <see cref="Begin"/> and the disposal of its
    /// result, including everything it awaits. The registry flows with the async call (an
    /// <see cref="AsyncLocal{T}"/>), so two operations never see each other's secrets.
    /// </summary>
    public static class OperationSecrets
    {
        // Shorter values would mask ordinary words; no real secret is this short.
        private const int MinimumLength = 4;

        private static readonly AsyncLocal<Registry?> Current = new AsyncLocal<Registry?>();

        /// <summary>
        /// Starts an operation, or joins the one already running on this async flow. Dispose the result when
        /// the operation ends.
        /// </summary>
        public static IDisposable Begin()
        {
            if (Current.Value is not null)
            {
                return Joined.Instance;
            }

            var registry = new Registry();
            Current.Value = registry;
            return new Scope(registry);
        }

        /// <summary>Returns <paramref name="text"/> with every secret of the current operation replaced by <c>***</c>.</summary>
        public static string Redact(string text)
        {
            Registry? registry = Current.Value;
            return registry is null || string.IsNullOrEmpty(text) ? text : registry.Redact(text);
        }

        /// <summary>Registers a secret value with the current operation; nothing happens outside an operation.</summary>
        internal static void Register(string value)
        {
            if (value.Length >= MinimumLength)
            {
                Current.Value?.Add(value);
            }
        }

        private sealed class Registry
        {
            // A run of base64 or base64url characters long enough to encode the shortest secret (4 bytes: 6 characters).
            private static readonly Regex EncodedRun = new Regex("[A-Za-z0-9+/_-]{6,}=*", RegexOptions.CultureInvariant);

            private readonly object gate = new object();
            private readonly HashSet<string> values = new HashSet<string>(StringComparer.Ordinal);
            private string[] forms = Array.Empty<string>();

            public void Add(string value)
            {
                lock (gate)
                {
                    if (!values.Add(value))
                    {
                        return;
                    }

                    var next = new List<string>(forms);
                    foreach (string form in Forms(value))
                    {
                        if (form.Length >= MinimumLength && !next.Contains(form))
                        {
                            next.Add(form);
                        }
                    }

                    // Longest first, so a form that contains another is masked whole.
                    next.Sort((a, b) => b.Length.CompareTo(a.Length));
                    forms = next.ToArray();
                }
            }

            public string Redact(string text)
            {
                string[] known = Volatile.Read(ref forms);
                foreach (string form in known)
                {
                    if (text.IndexOf(form, StringComparison.Ordinal) >= 0)
                    {
                        text = text.Replace(form, "***");
                    }
                }

                return known.Length == 0 ? text : EncodedRun.Replace(text, run => HoldsSecret(run.Value, known) ? "***" : run.Value);
            }

            /// <summary>
            /// True when <paramref name="run"/>, read as base64 or base64url from any of its first four characters
            /// (so text glued before the encoded part does not hide it), decodes to text that holds a secret.
            /// </summary>
            private static bool HoldsSecret(string run, string[] known)
            {
                string body = run.TrimEnd('=').Replace('-', '+').Replace('_', '/');
                for (int skip = 0; skip < 4 && body.Length - skip >= 6; skip++)
                {
                    string part = body.Substring(skip);
                    switch (part.Length % 4)
                    {
                        case 1:
                            part = part.Substring(0, part.Length - 1);
                            break;
                        case 2:
                            part += "==";
                            break;
                        case 3:
                            part += "=";
                            break;
                    }

                    string decoded;
                    try
                    {
                        decoded = Encoding.UTF8.GetString(Convert.FromBase64String(part));
                    }
                    catch (FormatException)
                    {
                        continue;
                    }

                    foreach (string form in known)
                    {
                        if (decoded.IndexOf(form, StringComparison.Ordinal) >= 0)
                        {
                            return true;
                        }
                    }
                }

                return false;
            }

            private static IEnumerable<string> Forms(string value)
            {
                yield return value;
                string escaped = Uri.EscapeDataString(value);
                yield return escaped;
                yield return escaped.Replace("%20", "+");
                string base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
                yield return base64;
                yield return base64.TrimEnd('=');
                yield return Base64Url.Encode(Encoding.UTF8.GetBytes(value));
            }
        }

        private sealed class Scope : IDisposable
        {
            private Registry? registry;

            public Scope(Registry registry) => this.registry = registry;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref registry, null) is Registry ended && ReferenceEquals(Current.Value, ended))
                {
                    Current.Value = null;
                }
            }
        }

        private sealed class Joined : IDisposable
        {
            public static readonly Joined Instance = new Joined();

            public void Dispose()
            {
            }
        }
    }
}
