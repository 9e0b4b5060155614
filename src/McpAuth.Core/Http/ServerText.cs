using System;
using System.Text;

namespace McpAuth.Core.Http
{
    /// <summary>Text a peer sent (error descriptions, JSON-RPC messages, bodies), made safe to show in a message.</summary>
    public static class ServerText
    {
        /// <summary>
        /// Makes text from a peer safe to show: every secret of the current operation is masked
        /// (<see cref="OperationSecrets"/>, also URL-encoded or base64), control and format characters become
        /// spaces, runs of whitespace collapse, and the result is cut to <paramref name="maxLength"/>.
        /// </summary>
        public static string Sanitize(string? text, int maxLength = 300)
        {
            if (string.IsNullOrEmpty(text))
            {
                return string.Empty;
            }

            string masked = OperationSecrets.Redact(text!);
            var builder = new StringBuilder(Math.Min(masked.Length, maxLength + 1));
            bool lastWasSpace = false;
            foreach (char c in masked)
            {
                bool isSpace = char.IsWhiteSpace(c) || char.IsControl(c)
                    || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;
                if (isSpace)
                {
                    if (!lastWasSpace && builder.Length > 0)
                    {
                        builder.Append(' ');
                    }

                    lastWasSpace = true;
                    continue;
                }

                lastWasSpace = false;
                builder.Append(c);
                if (builder.Length > maxLength)
                {
                    break;
                }
            }

            string result = builder.ToString().TrimEnd();
            return Shorten(result, maxLength);
        }

        /// <summary>Cuts <paramref name="text"/> to <paramref name="maxLength"/> characters, marking the cut with "...".</summary>
        public static string Shorten(string text, int maxLength) =>
            text.Length > maxLength ? text.Substring(0, maxLength).TrimEnd() + "..." : text;
    }
}
