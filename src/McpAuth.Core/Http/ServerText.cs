using System;
using System.Collections.Generic;
using System.Text;

namespace McpAuth.Core.Http
{
    /// <summary>Text a peer sent (error descriptions, JSON-RPC messages, bodies), made safe to show in a message.</summary>
    public static class ServerText
    {
        /// <summary>
        /// Makes text from a peer safe to show: control and format characters become spaces, runs of
        /// whitespace collapse, values we sent are masked, and the result is cut to <paramref name="maxLength"/>.
        /// </summary>
        public static string Sanitize(string? text, int maxLength = 300, IReadOnlyCollection<string>? sentValues = null)
        {
            if (string.IsNullOrEmpty(text))
            {
                return string.Empty;
            }

            string masked = sentValues is null ? text! : Mask(text!, sentValues);
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
            return result.Length > maxLength ? result.Substring(0, maxLength).TrimEnd() + "..." : result;
        }

        internal static string Mask(string text, IReadOnlyCollection<string> sentValues)
        {
            foreach (string value in sentValues)
            {
                // Only secrets are passed here; values of a few characters would mask ordinary words.
                if (value.Length >= 4 && text.IndexOf(value, StringComparison.Ordinal) >= 0)
                {
                    text = text.Replace(value, "***");
                }
            }

            return text;
        }
    }
}
