using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;
using McpAuth.Core.Tokens;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests.Storage
{
    /// <summary>
    /// Record format 2 (the DPoP key, the enterprise and workload grants, per-server settings, the account in the
    /// key) round-trips; a format-1 record, as McpAuth wrote it before, still reads, and is written back as 2.
    /// </summary>
    public sealed class RecordFormatTests : IDisposable
    {
        private static readonly CredentialKey Key = new("https://mcp.example.com/mcp", "https://as.example.com", "erin@example.com");
        private readonly TempDirectory temp = new();
        private readonly RecordingCallbacks callbacks = new();

        public void Dispose() => temp.Dispose();

        // A record as format 1 wrote it (McpAuth before record format 2): no dpop_key, enterprise, workload, settings.
        private const string FormatOneRecord =
            "{\"v\":1,\"key\":{\"resource\":\"https://old.example.com/mcp\",\"issuer\":\"https://as.example.com\"},"
            + "\"client\":{\"client_id\":\"client-1\",\"source\":\"dynamic-registration\",\"token_endpoint_auth_method\":\"none\",\"redirect_uri\":\"http://127.0.0.1:53682/callback\"},"
            + "\"tokens\":{\"access_token\":\"at-OLD-1\",\"refresh_token\":\"rt-OLD-2\",\"token_type\":\"Bearer\",\"scopes\":[\"mcp:read\"],\"expires_at\":\"2026-01-02T03:04:05+00:00\"},"
            + "\"subject\":\"alice\",\"authorized_by\":\"browser\","
            + "\"created_at\":\"2026-01-01T00:00:00+00:00\",\"updated_at\":\"2026-01-02T00:00:00+00:00\"}";

        private static CredentialRecord FormatTwoRecord()
        {
            DpopKey key = DpopKey.Create();
            return CredentialRecordTests.FullRecord(Key) with
            {
                AuthorizedBy = AuthorizationMethod.EnterpriseManaged,
                DpopKey = key.ToStored(),
                Enterprise = new StoredEnterpriseGrant
                {
                    IdpIssuer = "https://idp.example.com",
                    IdpTokenEndpoint = new Uri("https://idp.example.com/token"),
                    IdpAuthorizationEndpoint = new Uri("https://idp.example.com/authorize"),
                    IdpClientId = "idp-client",
                    IdpClientSecret = new Secret("idp-SECRET-5"),
                    Assertion = new Secret("assertion-SECRET-6"),
                    AssertionType = EnterpriseOptions.IdTokenType,
                    AssertionExpiresAt = new DateTimeOffset(2026, 1, 2, 4, 0, 0, TimeSpan.Zero),
                    IdpRefreshToken = new Secret("idp-rt-SECRET-7"),
                },
                Workload = new StoredWorkloadGrant { TokenPath = "/var/run/secrets/token", TokenVariable = "CI_TOKEN" },
                Settings = new StoredServerSettings
                {
                    OmitResource = true,
                    TrustedIssuer = "https://alias.example.com",
                    AuthorizationServer = "https://as.example.com",
                    AuthorizationParameters = new Dictionary<string, string> { ["login_hint"] = "erin", ["acr_values"] = "mfa" },
                    Dpop = true,
                },
            };
        }

        [Fact]
        public void Format_two_round_trips_every_new_field_and_ToString_shows_no_secret()
        {
            CredentialRecord record = FormatTwoRecord();
            CredentialBlob blob = CredentialBlob.Empty();
            blob.Put(record);
            byte[] bytes = blob.Serialize();

            using (JsonDocument document = JsonDocument.Parse(bytes))
            {
                JsonElement stored = document.RootElement.GetProperty("records")[0];
                Assert.Equal(2, stored.GetProperty("v").GetInt32());
                Assert.Equal("erin@example.com", stored.GetProperty("key").GetProperty("account").GetString());
                Assert.Equal("enterprise-managed", stored.GetProperty("authorized_by").GetString());
                Assert.Equal(record.DpopKey!.X, stored.GetProperty("dpop_key").GetProperty("x").GetString());
                Assert.Equal("https://idp.example.com", stored.GetProperty("enterprise").GetProperty("idp_issuer").GetString());
                Assert.Equal("/var/run/secrets/token", stored.GetProperty("workload").GetProperty("token_path").GetString());
                Assert.True(stored.GetProperty("settings").GetProperty("omit_resource").GetBoolean());
            }

            CredentialRecord back = Assert.Single(CredentialBlob.Parse(bytes, "test").Entries).Record!;
            Assert.Equal(Key, back.Key);
            Assert.Equal(2, back.Version);
            Assert.Equal(AuthorizationMethod.EnterpriseManaged, back.AuthorizedBy);

            // The key reads back as the same key.
            Assert.Equal(DpopKey.FromStored(record.DpopKey)!.Thumbprint, DpopKey.FromStored(back.DpopKey)!.Thumbprint);
            Assert.Equal(record.DpopKey!.D!.Reveal(), back.DpopKey!.D!.Reveal());

            StoredEnterpriseGrant e = back.Enterprise!;
            Assert.Equal("idp-client", e.IdpClientId);
            Assert.Equal(new Uri("https://idp.example.com/token"), e.IdpTokenEndpoint);
            Assert.Equal(new Uri("https://idp.example.com/authorize"), e.IdpAuthorizationEndpoint);
            Assert.Equal("idp-SECRET-5", e.IdpClientSecret!.Reveal());
            Assert.Equal("assertion-SECRET-6", e.Assertion!.Reveal());
            Assert.Equal(EnterpriseOptions.IdTokenType, e.AssertionType);
            Assert.Equal(new DateTimeOffset(2026, 1, 2, 4, 0, 0, TimeSpan.Zero), e.AssertionExpiresAt);
            Assert.Equal("idp-rt-SECRET-7", e.IdpRefreshToken!.Reveal());

            Assert.Equal("/var/run/secrets/token", back.Workload!.TokenPath);
            Assert.Equal("CI_TOKEN", back.Workload.TokenVariable);

            StoredServerSettings s = back.Settings!;
            Assert.True(s.OmitResource);
            Assert.Null(s.Resource);
            Assert.Equal("https://alias.example.com", s.TrustedIssuer);
            Assert.Equal("https://as.example.com", s.AuthorizationServer);
            Assert.Equal("erin", s.AuthorizationParameters!["login_hint"]);
            Assert.Equal("mfa", s.AuthorizationParameters["acr_values"]);
            Assert.True(s.Dpop);

            string text = back.ToString() + record.ToString();
            foreach (string secret in new[] { record.DpopKey.D.Reveal(), "idp-SECRET-5", "assertion-SECRET-6", "idp-rt-SECRET-7", "at-SECRET-1" })
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void A_format_one_record_reads_with_no_new_fields_beside_a_format_two_record()
        {
            string two = Encoding.UTF8.GetString(Serialize(FormatTwoRecord()));
            string twoRecord = two.Substring(two.IndexOf('[') + 1, two.LastIndexOf(']') - two.IndexOf('[') - 1);
            string document = "{\"v\":1,\"records\":[" + FormatOneRecord + "," + twoRecord + "]}";

            CredentialBlob blob = CredentialBlob.Parse(Encoding.UTF8.GetBytes(document), "test");

            Assert.Equal(2, blob.Entries.Count);
            CredentialRecord old = blob.Entries[0].Record!;
            Assert.False(old.IsCorrupted);
            Assert.Equal(1, old.Version);
            Assert.Equal(new CredentialKey("https://old.example.com/mcp", "https://as.example.com"), old.Key);
            Assert.Equal(string.Empty, old.Key.Account);
            Assert.Equal("at-OLD-1", old.Tokens!.AccessToken!.Reveal());
            Assert.Equal("rt-OLD-2", old.Tokens.RefreshToken!.Reveal());
            Assert.Equal("client-1", old.Client!.ClientId);
            Assert.Equal(AuthorizationMethod.Browser, old.AuthorizedBy);
            Assert.Equal("alice", old.Subject);
            Assert.Null(old.DpopKey);
            Assert.Null(old.Enterprise);
            Assert.Null(old.Workload);
            Assert.Null(old.Settings);
            Assert.Equal(2, blob.Entries[1].Record!.Version);
        }

        [Fact]
        public void A_record_of_a_later_format_is_kept_unread_and_written_back_unchanged()
        {
            string future = FormatOneRecord.Replace("{\"v\":1,", "{\"v\":3,", StringComparison.Ordinal);
            CredentialBlob blob = CredentialBlob.Parse(Encoding.UTF8.GetBytes("{\"v\":1,\"records\":[" + future + "]}"), "test");

            CredentialBlob.Entry entry = Assert.Single(blob.Entries);
            Assert.Null(entry.Record);
            Assert.Contains("format version 3", entry.Problem, StringComparison.Ordinal);
            Assert.Contains(future, Encoding.UTF8.GetString(blob.Serialize()), StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_format_one_file_from_an_older_McpAuth_reads_and_an_update_writes_format_two_keeping_the_refresh_token()
        {
            var store = new PlaintextFileCredentialStore(temp.StoreDir, allowPlaintext: true);
            Directory.CreateDirectory(temp.StoreDir);
            File.WriteAllText(store.FilePath, "{\"v\":1,\"records\":[" + FormatOneRecord + "]}");
            var key = new CredentialKey("https://old.example.com/mcp", "https://as.example.com");

            CredentialRecord? read = await store.GetAsync(key, callbacks, CancellationToken.None);
            Assert.Equal("rt-OLD-2", read!.Tokens!.RefreshToken!.Reveal());

            DpopKey dpop = DpopKey.Create();
            await store.UpdateAsync(key, r => r! with { DpopKey = dpop.ToStored(), Settings = new StoredServerSettings { Dpop = true } }, callbacks, CancellationToken.None);

            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(store.FilePath));
            JsonElement stored = document.RootElement.GetProperty("records")[0];
            Assert.Equal(2, stored.GetProperty("v").GetInt32());
            Assert.Equal("rt-OLD-2", stored.GetProperty("tokens").GetProperty("refresh_token").GetString());
            CredentialRecord again = (await store.GetAsync(key, callbacks, CancellationToken.None))!;
            Assert.Equal(2, again.Version);
            Assert.Equal(dpop.Thumbprint, DpopKey.FromStored(again.DpopKey)!.Thumbprint);
            Assert.Equal("alice", again.Subject);
        }

        private static byte[] Serialize(CredentialRecord record)
        {
            CredentialBlob blob = CredentialBlob.Empty();
            blob.Put(record);
            return blob.Serialize();
        }
    }
}
