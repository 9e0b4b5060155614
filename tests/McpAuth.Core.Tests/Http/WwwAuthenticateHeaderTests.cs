using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using McpAuth.Core;
using McpAuth.Core.Http;
using Xunit;

namespace McpAuth.Core.Tests.Http
{
    public class WwwAuthenticateHeaderTests
    {
        private static AuthChallenge Single(string value)
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse(value);
            Assert.Single(list);
            return list[0];
        }

        private static void AssertMalformed(params string[] values)
        {
            var ex = Assert.Throws<McpAuthException>(() => WwwAuthenticateHeader.Parse(values));
            Assert.Equal(ErrorIds.MalformedChallenge, ex.ErrorId);
            Assert.Equal(McpErrorKind.ProtocolError, ex.Kind);
            Assert.False(WwwAuthenticateHeader.TryParse(values, out IReadOnlyList<AuthChallenge>? none));
            Assert.Null(none);
        }

        [Fact]
        public void Parses_bare_scheme()
        {
            AuthChallenge c = Single("Bearer");
            Assert.Equal("Bearer", c.Scheme);
            Assert.Empty(c.Parameters);
            Assert.Null(c.Token68);
        }

        [Fact]
        public void Parses_quoted_and_token_parameters()
        {
            AuthChallenge c = Single("Bearer realm=\"example\", error=invalid_token, scope=\"read write\"");
            Assert.Equal("example", c.Parameters["realm"]);
            Assert.Equal("invalid_token", c.Parameters["error"]);
            Assert.Equal("read write", c.Parameters["scope"]);
        }

        [Fact]
        public void Parses_quoted_string_with_escaped_quote_and_backslash()
        {
            AuthChallenge c = Single("Bearer error_description=\"say \\\"hi\\\" to C:\\\\dir\"");
            Assert.Equal("say \"hi\" to C:\\dir", c.Parameters["error_description"]);
        }

        [Fact]
        public void Escaped_ordinary_character_stands_for_itself()
        {
            Assert.Equal("abc", Single("Bearer realm=\"a\\bc\"").Parameters["realm"]);
        }

        [Fact]
        public void Quoted_string_may_contain_commas_and_equals_signs()
        {
            AuthChallenge c = Single("Bearer realm=\"a, b=c\", scope=x");
            Assert.Equal("a, b=c", c.Parameters["realm"]);
            Assert.Equal("x", c.Parameters["scope"]);
        }

        [Fact]
        public void Parses_empty_quoted_value()
        {
            AuthChallenge c = Single("Bearer realm=\"\", scope=\"\"");
            Assert.Equal(string.Empty, c.Parameters["realm"]);
            Assert.Equal(string.Empty, c.Parameters["scope"]);
        }

        [Fact]
        public void Scheme_and_parameter_names_are_case_insensitive()
        {
            AuthChallenge c = Single("bEaReR ReAlM=\"x\", Resource_Metadata=\"https://a.example/m\"");
            Assert.True(c.IsScheme("Bearer"));
            Assert.Equal("bEaReR", c.Scheme);
            Assert.Equal("x", c.Parameters["realm"]);
            Assert.Equal("https://a.example/m", c.GetParameter("RESOURCE_METADATA"));
        }

        [Fact]
        public void Tolerates_odd_spacing_around_equals_and_commas()
        {
            AuthChallenge c = Single("  Bearer \t  realm = \"x\"  ,\t error\t=\tinvalid_token ,scope=  \"a\"   ");
            Assert.Equal("x", c.Parameters["realm"]);
            Assert.Equal("invalid_token", c.Parameters["error"]);
            Assert.Equal("a", c.Parameters["scope"]);
        }

        [Fact]
        public void Parses_several_challenges_in_one_value()
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse(
                "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"");
            Assert.Equal(2, list.Count);
            Assert.Equal("Newauth", list[0].Scheme);
            Assert.Equal("apps", list[0].Parameters["realm"]);
            Assert.Equal("1", list[0].Parameters["type"]);
            Assert.Equal("Login to \"apps\"", list[0].Parameters["title"]);
            Assert.Equal("Basic", list[1].Scheme);
            Assert.Equal("simple", list[1].Parameters["realm"]);
        }

        [Fact]
        public void Parses_bare_schemes_separated_by_commas()
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse("Negotiate, NTLM, Bearer");
            Assert.Equal(new[] { "Negotiate", "NTLM", "Bearer" }, list.Select(c => c.Scheme));
        }

        [Fact]
        public void Parses_several_header_lines_in_order()
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse(new[]
            {
                "Basic realm=\"a\"",
                "Bearer error=\"invalid_token\", DPoP algs=\"ES256 PS256\"",
            });
            Assert.Equal(new[] { "Basic", "Bearer", "DPoP" }, list.Select(c => c.Scheme));
            Assert.Equal("ES256 PS256", list[2].Parameters["algs"]);
        }

        [Fact]
        public void Parses_token68()
        {
            AuthChallenge c = Single("Negotiate YIIB/wYGKwYBBQUCoIIB8zCCAe+gJDAiBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICCg==");
            Assert.Equal("YIIB/wYGKwYBBQUCoIIB8zCCAe+gJDAiBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICCg==", c.Token68);
            Assert.Empty(c.Parameters);
        }

        [Fact]
        public void Token68_with_single_padding_is_not_taken_for_a_parameter()
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse("Basic abc=, Bearer realm=x");
            Assert.Equal("abc=", list[0].Token68);
            Assert.Equal("x", list[1].Parameters["realm"]);
        }

        [Fact]
        public void Token68_followed_by_another_challenge()
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse("Negotiate abc+/def~, Bearer scope=\"s\"");
            Assert.Equal("abc+/def~", list[0].Token68);
            Assert.Equal("s", list[1].Parameters["scope"]);
        }

        [Fact]
        public void Ignores_empty_list_elements()
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse(", ,Bearer realm=x,, ,scope=y , ,Basic,");
            Assert.Equal(2, list.Count);
            Assert.Equal("x", list[0].Parameters["realm"]);
            Assert.Equal("y", list[0].Parameters["scope"]);
            Assert.Equal("Basic", list[1].Scheme);
        }

        [Fact]
        public void Empty_and_whitespace_values_hold_no_challenges()
        {
            Assert.Empty(WwwAuthenticateHeader.Parse(new[] { string.Empty, "   ", "\t" }));
            Assert.Empty(WwwAuthenticateHeader.Parse(Array.Empty<string>()));
        }

        [Fact]
        public void Keeps_non_ascii_obs_text_in_quoted_strings()
        {
            Assert.Equal("café", Single("Bearer realm=\"café\"").Parameters["realm"]);
        }

        [Fact]
        public void Rejects_unterminated_quoted_string()
        {
            AssertMalformed("Bearer realm=\"abc");
        }

        [Fact]
        public void Rejects_quoted_string_ending_in_a_lone_backslash()
        {
            AssertMalformed("Bearer realm=\"abc\\");
        }

        [Fact]
        public void Rejects_control_characters_in_quoted_strings()
        {
            AssertMalformed("Bearer realm=\"a\u0001b\"");
            AssertMalformed("Bearer realm=\"a\nb\"");
            AssertMalformed("Bearer realm=\"a\u007fb\"");
            AssertMalformed("Bearer realm=\"a\\\u0000b\"");
        }

        [Fact]
        public void Accepts_tab_inside_quoted_string()
        {
            Assert.Equal("a\tb", Single("Bearer realm=\"a\tb\"").Parameters["realm"]);
        }

        [Fact]
        public void Rejects_control_characters_outside_quoted_strings()
        {
            AssertMalformed("Bearer\u0000 realm=x");
            AssertMalformed("Bearer realm=x\r\n");
        }

        [Fact]
        public void Rejects_parameter_without_value()
        {
            AssertMalformed("Bearer realm=x, scope=");
            AssertMalformed("Bearer realm=x, scope=, error=y");
        }

        [Fact]
        public void Rejects_parameter_before_any_scheme()
        {
            AssertMalformed("realm=\"x\", Bearer");
        }

        [Fact]
        public void Rejects_duplicate_parameter_in_one_challenge()
        {
            AssertMalformed("Bearer scope=a, SCOPE=b");
        }

        [Fact]
        public void Same_parameter_in_different_challenges_is_fine()
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse("Bearer realm=a, Basic realm=b");
            Assert.Equal("a", list[0].Parameters["realm"]);
            Assert.Equal("b", list[1].Parameters["realm"]);
        }

        [Fact]
        public void Rejects_token68_mixed_with_parameters()
        {
            AssertMalformed("Negotiate abc==, realm=x");
        }

        [Fact]
        public void Rejects_junk_after_a_value()
        {
            AssertMalformed("Bearer realm=\"x\"y");
            AssertMalformed("Bearer realm=x y=z");
            AssertMalformed("Bearer realm=x \"y\"");
        }

        [Fact]
        public void Rejects_scheme_glued_to_a_quoted_string()
        {
            AssertMalformed("Bearer\"x\"");
        }

        [Fact]
        public void Rejects_value_that_is_only_punctuation()
        {
            AssertMalformed("=");
            AssertMalformed("\"quoted\"");
            AssertMalformed("Bearer @@@");
        }

        [Fact]
        public void A_malformed_line_fails_the_whole_parse()
        {
            AssertMalformed("Bearer realm=x", "Basic realm=\"open");
        }

        [Fact]
        public void Rejects_one_megabyte_header_quickly()
        {
            string huge = "Bearer realm=\"" + new string('a', 1024 * 1024) + "\"";
            var watch = Stopwatch.StartNew();
            var ex = Assert.Throws<McpAuthException>(() => WwwAuthenticateHeader.Parse(huge));
            Assert.Equal(ErrorIds.MalformedChallenge, ex.ErrorId);
            Assert.True(watch.ElapsedMilliseconds < 1000);
        }

        [Fact]
        public void Rejects_header_lines_that_are_too_long_together()
        {
            string part = "Bearer realm=\"" + new string('a', 40 * 1024) + "\"";
            AssertMalformed(part, part);
        }

        [Fact]
        public void Parses_large_header_under_the_cap_in_linear_time()
        {
            // Many empty elements and many parameters: a quadratic parser would be visibly slow here.
            string scopes = string.Join(" ", Enumerable.Range(0, 4000).Select(n => "s" + n));
            string value = "Bearer scope=\"" + scopes + "\"" + new string(',', 20000);
            var watch = Stopwatch.StartNew();
            AuthChallenge c = Single(value);
            Assert.True(watch.ElapsedMilliseconds < 1000);
            Assert.Equal(4000, BearerChallenge.SplitScope(c.Parameters["scope"]).Count);
        }

        [Fact]
        public void Unterminated_quote_at_end_of_a_long_value_is_reported_not_thrown_otherwise()
        {
            string value = "Bearer realm=\"" + new string('\\', 30001);
            var ex = Assert.Throws<McpAuthException>(() => WwwAuthenticateHeader.Parse(value));
            Assert.Contains("unterminated", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Null_header_line_is_skipped()
        {
            IReadOnlyList<AuthChallenge> list = WwwAuthenticateHeader.Parse(new string[] { null!, "Bearer" });
            Assert.Single(list);
        }

        [Fact]
        public void TryParse_returns_the_challenges_for_valid_input()
        {
            Assert.True(WwwAuthenticateHeader.TryParse(new[] { "Bearer realm=x" }, out IReadOnlyList<AuthChallenge>? list));
            Assert.Equal("x", list![0].Parameters["realm"]);
        }

        [Fact]
        public void Error_message_does_not_echo_the_header_text()
        {
            var ex = Assert.Throws<McpAuthException>(() => WwwAuthenticateHeader.Parse("Bearer secretish=\"abcdef"));
            Assert.DoesNotContain("abcdef", ex.Message, StringComparison.Ordinal);
        }
    }
}
