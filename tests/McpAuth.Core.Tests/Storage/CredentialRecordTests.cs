using McpAuth.Testing;
using System;
using McpAuth.Core.Registration;
using System.Text;
using System.Text.Json;
using McpAuth.Core.Storage;
using Xunit;

namespace McpAuth.Core.Tests.Storage
{
    public class CredentialRecordTests
    {
        internal static readonly CredentialKey Key = new CredentialKey("https://mcp.example.com/mcp", "https://as.example.com");

        internal static CredentialRecord FullRecord(CredentialKey key, string accessToken = "at-SECRET-1") => new CredentialRecord(key)
        {
            Client = new StoredClientIdentity("client-42", ClientIdentitySource.DynamicRegistration)
            {
                ClientSecret = new Secret("cs-SECRET-2"),
                TokenEndpointAuthMethod = "client_secret_basic",
                RedirectUri = "http://127.0.0.1:53682/callback",
                RegisteredAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            },
            Tokens = new StoredTokenSet
            {
                AccessToken = new Secret(accessToken),
                RefreshToken = new Secret("rt-SECRET-3"),
                TokenType = "Bearer",
                Scopes = new[] { "mcp:read", "offline_access" },
                ExpiresAt = new DateTimeOffset(2026, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)),
                IdToken = new Secret("id-SECRET-4"),
            },
            Subject = "user-7",
            Discovery = new StoredDiscovery(key.Issuer)
            {
                ResourceMetadataUrl = new Uri("https://mcp.example.com/.well-known/oauth-protected-resource/mcp"),
                AuthorizationEndpoint = new Uri("https://as.example.com/authorize"),
                TokenEndpoint = new Uri("https://as.example.com/token"),
                RegistrationEndpoint = new Uri("https://as.example.com/register"),
                RevocationEndpoint = new Uri("https://as.example.com/revoke"),
                DeviceAuthorizationEndpoint = new Uri("https://as.example.com/device"),
                FetchedAt = new DateTimeOffset(2026, 1, 2, 3, 0, 0, TimeSpan.Zero),
            },
            AuthorizedBy = AuthorizationMethod.DeviceCode,
        };

        [Fact]
        public void ToString_never_shows_a_secret()
        {
            string text = FullRecord(Key).ToString();
            Assert.Contains("client-42", text);
            foreach (string secret in new[] { "at-SECRET-1", "cs-SECRET-2", "rt-SECRET-3", "id-SECRET-4" })
            {
                Assert.DoesNotContain(secret, text);
            }
        }

        [Fact]
        public void Serialises_to_versioned_snake_case_json_and_back()
        {
            CredentialBlob blob = CredentialBlob.Empty();
            blob.Put(FullRecord(Key));
            byte[] bytes = blob.Serialize();

            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            Assert.Equal(1, root.GetProperty("v").GetInt32());
            JsonElement record = root.GetProperty("records")[0];
            Assert.Equal(2, record.GetProperty("v").GetInt32());
            Assert.Equal("https://as.example.com", record.GetProperty("key").GetProperty("issuer").GetString());
            Assert.Equal("at-SECRET-1", record.GetProperty("tokens").GetProperty("access_token").GetString());
            Assert.Equal("dynamic-registration", record.GetProperty("client").GetProperty("source").GetString());
            Assert.Equal("device-code", record.GetProperty("authorized_by").GetString());
            Assert.Equal("https://as.example.com/device", record.GetProperty("discovery").GetProperty("device_authorization_endpoint").GetString());
            Assert.Equal("2026-01-02T03:04:05+00:00", record.GetProperty("tokens").GetProperty("expires_at").GetString());

            CredentialRecord back = Assert.Single(CredentialBlob.Parse(bytes, "test").Entries).Record!;
            Assert.Equal(Key, back.Key);
            Assert.Equal("rt-SECRET-3", back.Tokens!.RefreshToken!.Reveal());
            Assert.Equal("cs-SECRET-2", back.Client!.ClientSecret!.Reveal());
            Assert.Equal("id-SECRET-4", back.Tokens.IdToken!.Reveal());
            Assert.Equal(new[] { "mcp:read", "offline_access" }, back.Tokens.Scopes);
            Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), back.Tokens.ExpiresAt);
            Assert.Equal(TimeSpan.Zero, back.Tokens.ExpiresAt!.Value.Offset);
            Assert.Equal(ClientIdentitySource.DynamicRegistration, back.Client.Source);
            Assert.Equal(AuthorizationMethod.DeviceCode, back.AuthorizedBy);
            Assert.Equal(new Uri("https://as.example.com/token"), back.Discovery!.TokenEndpoint);
            Assert.Equal("user-7", back.Subject);
        }

        [Fact]
        public void Keys_compare_exactly_and_ordinally()
        {
            Assert.Equal(Key, new CredentialKey("https://mcp.example.com/mcp", "https://as.example.com", ""));
            Assert.NotEqual(Key, new CredentialKey("https://mcp.example.com/mcp", "https://as.example.com/"));
            Assert.NotEqual(Key, new CredentialKey("https://mcp.example.com/mcp", "https://AS.example.com"));
            Assert.NotEqual(Key, new CredentialKey("https://mcp.example.com/mcp", "https://as.example.com", "alice"));
            Assert.Throws<ArgumentException>(() => new CredentialKey("", "https://as.example.com"));
            Assert.Throws<ArgumentException>(() => new CredentialKey("https://mcp.example.com/mcp", ""));
        }

        [Fact]
        public void A_damaged_record_is_flagged_and_written_back_unchanged_while_others_parse()
        {
            string good = Encoding.UTF8.GetString(Serialize(FullRecord(Key)));
            string goodRecord = good.Substring(good.IndexOf('[') + 1, good.LastIndexOf(']') - good.IndexOf('[') - 1);
            string damaged = "{\"v\":1,\"key\":{\"resource\":\"https://other.example/mcp\",\"issuer\":\"https://as2.example\"},\"tokens\":{\"access_token\":42}}";
            string document = "{\"v\":1,\"records\":[" + damaged + "," + goodRecord + ",[1,2]]}";

            CredentialBlob blob = CredentialBlob.Parse(Encoding.UTF8.GetBytes(document), "test");
            Assert.Equal(3, blob.Entries.Count);
            Assert.Null(blob.Entries[0].Record);
            Assert.Equal(new CredentialKey("https://other.example/mcp", "https://as2.example"), blob.Entries[0].Key);
            Assert.DoesNotContain("42", blob.Entries[0].Problem);
            Assert.Equal("at-SECRET-1", blob.Entries[1].Record!.Tokens!.AccessToken!.Reveal());
            Assert.Null(blob.Entries[2].Key);

            string rewritten = Encoding.UTF8.GetString(blob.Serialize());
            Assert.Contains(damaged, rewritten);
            Assert.Contains("[1,2]", rewritten);
        }

        [Fact]
        public void A_record_whose_discovery_names_another_issuer_is_not_trusted()
        {
            CredentialRecord record = FullRecord(Key) with { Discovery = new StoredDiscovery("https://evil.example") };
            byte[] bytes = Serialize(record);
            CredentialBlob.Entry entry = Assert.Single(CredentialBlob.Parse(bytes, "test").Entries);
            Assert.Null(entry.Record);
            Assert.Contains("different issuer", entry.Problem);
        }

        [Theory]
        [InlineData("not json at all")]
        [InlineData("[1,2,3]")]
        [InlineData("{\"records\":[]}")]
        [InlineData("{\"v\":2,\"records\":[]}")]
        [InlineData("{\"v\":1}")]
        public void A_document_that_cannot_be_read_is_reported_as_corrupted(string document)
        {
            var ex = Assert.Throws<CredentialStoreException>(() => CredentialBlob.Parse(Encoding.UTF8.GetBytes(document), "the-location"));
            Assert.Equal(ErrorIds.CredentialCorrupted, ex.ErrorId);
            Assert.Contains("the-location", ex.Message);
            Assert.NotNull(ex.RecommendedAction);
        }

        private static byte[] Serialize(CredentialRecord record)
        {
            CredentialBlob blob = CredentialBlob.Empty();
            blob.Put(record);
            return blob.Serialize();
        }
    }
}
