using System;
using System.Collections.Generic;
using System.Linq;
using McpAuth.Core;
using McpAuth.Core.Authorization;
using Xunit;

namespace McpAuth.Core.Tests.Authorization
{
    public class PkceChallengeTests
    {
        [Fact]
        public void Matches_the_rfc7636_appendix_b_example()
        {
            PkceChallenge pkce = PkceChallenge.FromVerifier(new Secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
            Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", pkce.Challenge);
        }

        [Theory]
        [InlineData(43)]
        [InlineData(64)]
        [InlineData(100)]
        [InlineData(128)]
        public void Creates_verifier_of_the_requested_length_from_unreserved_characters(int length)
        {
            PkceChallenge pkce = PkceChallenge.Create(length);
            string verifier = pkce.Verifier.Reveal();
            Assert.Equal(length, verifier.Length);
            Assert.Matches("^[A-Za-z0-9_-]+$", verifier);
            Assert.Equal(43, pkce.Challenge.Length);
            Assert.Equal(PkceChallenge.FromVerifier(pkce.Verifier).Challenge, pkce.Challenge);
        }

        [Fact]
        public void Default_verifier_is_64_characters()
        {
            Assert.Equal(64, PkceChallenge.Create().Verifier.Length);
        }

        [Fact]
        public void Verifiers_are_unique()
        {
            var seen = new HashSet<string>();
            for (int i = 0; i < 200; i++)
            {
                Assert.True(seen.Add(PkceChallenge.Create().Verifier.Reveal()));
            }
        }

        [Fact]
        public void Verifier_characters_are_roughly_uniform()
        {
            // 200 x 128 characters over a 64-character alphabet: every character should appear.
            string all = string.Concat(Enumerable.Range(0, 200).Select(_ => PkceChallenge.Create(128).Verifier.Reveal()));
            Assert.Equal(64, all.Distinct().Count());
        }

        [Theory]
        [InlineData(42)]
        [InlineData(129)]
        [InlineData(0)]
        public void Rejects_lengths_outside_rfc7636(int length)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => PkceChallenge.Create(length));
        }

        [Fact]
        public void Rejects_verifier_with_reserved_characters()
        {
            Assert.Throws<ArgumentException>(() => PkceChallenge.FromVerifier(new Secret(new string('a', 42) + "+")));
            Assert.Throws<ArgumentException>(() => PkceChallenge.FromVerifier(new Secret(new string('a', 10))));
        }

        [Fact]
        public void Verifier_does_not_show_in_strings()
        {
            PkceChallenge pkce = PkceChallenge.Create();
            Assert.Equal("***", pkce.Verifier.ToString());
        }
    }
}
