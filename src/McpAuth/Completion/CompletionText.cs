using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace McpAuth.Completion
{
    /// <summary>
    /// Text helpers every McpAuth completer shares: reading the word typed (with or without an opening
    /// quote), matching candidates against it, quoting completions so the line still parses, and reading
    /// values from the fake bound parameters PowerShell passes to completers.
    /// </summary>
    internal static class CompletionText
    {
        /// <summary>The characters that make a bare argument parse as something else, so the value needs quotes.</summary>
        private const string NeedsQuotes = " \t\r\n'\"`$;,(){}&|<>@#";

        /// <summary>The word typed without its quotes; <paramref name="quote"/> is the opening quote, or '\0'.</summary>
        public static string Unquote(string? word, out char quote)
        {
            quote = '\0';
            if (string.IsNullOrEmpty(word))
            {
                return string.Empty;
            }

            string text = word!;
            char first = text[0];
            if (IsSingleQuote(first) || IsDoubleQuote(first))
            {
                quote = IsSingleQuote(first) ? '\'' : '"';
                text = text.Substring(1);
                if (text.Length > 0 && (IsSingleQuote(text[text.Length - 1]) || IsDoubleQuote(text[text.Length - 1])))
                {
                    text = text.Substring(0, text.Length - 1);
                }
            }

            return text;
        }

        /// <summary>Whether <paramref name="candidate"/> starts with <paramref name="typed"/>, ignoring case.</summary>
        public static bool StartsWith(string candidate, string typed) => candidate.StartsWith(typed, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Quotes <paramref name="value"/> as an argument: with the quote the user opened, else with single
        /// quotes only when the bare text would not parse as one argument.
        /// </summary>
        public static string Quote(string value, char quote)
        {
            if (quote == '"')
            {
                return "\"" + value.Replace("`", "``").Replace("$", "`$").Replace("\"", "`\"") + "\"";
            }

            if (quote == '\'' || value.Length == 0 || value.IndexOfAny(NeedsQuotes.ToCharArray()) >= 0 || value[0] == '-')
            {
                return SingleQuoted(value);
            }

            return value;
        }

        /// <summary>A PowerShell single-quoted string literal.</summary>
        public static string SingleQuoted(string value) => "'" + value.Replace("'", "''") + "'";

        /// <summary>A completion result; the tooltip is never empty (PowerShell refuses empty tooltips).</summary>
        public static CompletionResult Result(string completionText, string listItemText, CompletionResultType type, string? toolTip)
            => new CompletionResult(
                completionText,
                string.IsNullOrEmpty(listItemText) ? completionText : listItemText,
                type,
                string.IsNullOrWhiteSpace(toolTip) ? listItemText : toolTip);

        /// <summary>The value PowerShell bound (or would bind) to a parameter, unwrapped; null when absent.</summary>
        public static object? Bound(IDictionary? fakeBoundParameters, string name)
        {
            if (fakeBoundParameters is null)
            {
                return null;
            }

            foreach (DictionaryEntry entry in fakeBoundParameters)
            {
                if (entry.Key is string key && string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return Unwrap(entry.Value);
                }
            }

            return null;
        }

        /// <summary>The base object of a PSObject; anything else as it is.</summary>
        public static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

        /// <summary>An absolute URI from a bound value (a Uri, or text as typed); null when it is neither.</summary>
        public static Uri? AsUri(object? value)
        {
            switch (Unwrap(value))
            {
                case Uri uri when uri.IsAbsoluteUri:
                    return uri;
                case string text when Uri.TryCreate(Unquote(text.Trim(), out _), UriKind.Absolute, out Uri? parsed):
                    return parsed;
                default:
                    return null;
            }
        }

        /// <summary>A bound value as text (a string, or something whose string form is the intended text).</summary>
        public static string? AsText(object? value) => Unwrap(value) switch
        {
            null => null,
            string s => Unquote(s.Trim(), out _),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            object o when o.GetType().IsArray => null,
            object o => o.ToString(),
        };

        /// <summary>
        /// Whether a completer may swallow <paramref name="exception"/>: completion must never fail the
        /// line being edited, but out-of-memory and a stopped pipeline still go through.
        /// </summary>
        public static bool CanIgnore(Exception exception) => !(exception is OutOfMemoryException || exception is PipelineStoppedException);

        /// <summary>Runs a completer; a failure it may ignore (<see cref="CanIgnore"/>) completes nothing.</summary>
        public static IEnumerable<CompletionResult> Guarded(Func<IEnumerable<CompletionResult>> complete)
        {
            try
            {
                return complete();
            }
            catch (Exception ex) when (CanIgnore(ex))
            {
                return Array.Empty<CompletionResult>();
            }
        }

        private static bool IsSingleQuote(char c) => c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201a' || c == '\u201b';

        private static bool IsDoubleQuote(char c) => c == '"' || c == '\u201c' || c == '\u201d' || c == '\u201e';
    }
}
