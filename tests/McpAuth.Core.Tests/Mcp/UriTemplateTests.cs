using System.Collections.Generic;
using McpAuth.Core.Mcp;
using Xunit;

namespace McpAuth.Core.Tests.Mcp
{
    /// <summary>RFC 6570 expansion with the RFC's own examples (section 3.2 and 1.2), and the errors a user can make.</summary>
    public class UriTemplateTests
    {
        private static readonly JsonMap Values = new JsonMap
        {
            new("var", "value"),
            new("hello", "Hello World!"),
            new("path", "/foo/bar"),
            new("empty", ""),
            new("x", "1024"),
            new("y", "768"),
            new("list", new object?[] { "red", "green", "blue" }),
            new("keys", new JsonMap { new("semi", ";"), new("dot", "."), new("comma", ",") }),
            new("undef", null),
        };

        [Theory]
        [InlineData("{var}", "value")]
        [InlineData("{hello}", "Hello%20World%21")]
        [InlineData("{+hello}", "Hello%20World!")]
        [InlineData("{+path}/here", "/foo/bar/here")]
        [InlineData("{#path,x}/here", "#/foo/bar,1024/here")]
        [InlineData("map?{x,y}", "map?1024,768")]
        [InlineData("{x,hello,y}", "1024,Hello%20World%21,768")]
        [InlineData("{var:3}", "val")]
        [InlineData("{.x,y}", ".1024.768")]
        [InlineData("{/var,x}/here", "/value/1024/here")]
        [InlineData("{;x,y,empty}", ";x=1024;y=768;empty")]
        [InlineData("{?x,y,empty}", "?x=1024&y=768&empty=")]
        [InlineData("?fixed=yes{&x}", "?fixed=yes&x=1024")]
        [InlineData("{list}", "red,green,blue")]
        [InlineData("{list*}", "red,green,blue")]
        [InlineData("{/list*}", "/red/green/blue")]
        [InlineData("{?list*}", "?list=red&list=green&list=blue")]
        [InlineData("{keys}", "semi,%3B,dot,.,comma,%2C")]
        [InlineData("{keys*}", "semi=%3B,dot=.,comma=%2C")]
        [InlineData("{?keys*}", "?semi=%3B&dot=.&comma=%2C")]
        [InlineData("X{.undef}", "X")]
        [InlineData("file:///project/notes/{var}.txt", "file:///project/notes/value.txt")]
        public void Expands_as_RFC_6570_says(string template, string expected)
        {
            var used = new JsonMap();
            foreach (string name in UriTemplate.VariableNames(template))
            {
                used.Add(new KeyValuePair<string, object?>(name, Values[name]));
            }

            Assert.Equal(expected, UriTemplate.Expand(template, used));
        }

        [Fact]
        public void Lists_each_variable_once_in_order()
        {
            Assert.Equal(new[] { "year", "month", "q" }, UriTemplate.VariableNames("file:///r/{year}/{month}{?q,year}"));
            Assert.Empty(UriTemplate.VariableNames("file:///plain.txt"));
            Assert.Empty(UriTemplate.VariableNames("file:///{broken"));
        }

        [Theory]
        [InlineData("file:///{name}.txt", "nmae")]
        [InlineData("file:///{name", "name")]
        [InlineData("file:///name}", "name")]
        [InlineData("file:///{na me}", "na me")]
        public void A_misspelt_variable_or_a_broken_template_is_InvalidResourceUri(string template, string name)
        {
            McpAuthException e = Assert.Throws<McpAuthException>(() => UriTemplate.Expand(template, new JsonMap { new(name, "x") }));
            Assert.Equal(ErrorIds.InvalidResourceUri, e.ErrorId);
        }
    }
}
