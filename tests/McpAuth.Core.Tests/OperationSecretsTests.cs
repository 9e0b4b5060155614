using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;
using McpAuth.Core.Tokens;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.Core.Tests
{
    /// <summary>One redaction path: every secret an operation created or revealed is masked in what a peer sends back.</summary>
    public sealed class OperationSecretsTests
    {
        private const string Value = "s3cr3t value/+:%é";

        [Fact]
        public void Inside_an_operation_a_secret_is_masked_as_sent_url_encoded_form_encoded_base64_and_base64url()
        {
            using (OperationSecrets.Begin())
            {
                _ = new Secret(Value);
                string base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(Value));
                string echoed = string.Join(" | ", Value, Uri.EscapeDataString(Value), Uri.EscapeDataString(Value).Replace("%20", "+"), base64, base64.TrimEnd('='), base64.TrimEnd('=').Replace('+', '-').Replace('/', '_'));

                Assert.Equal("*** | *** | *** | *** | *** | ***", ServerText.Sanitize(echoed, 1000));
            }
        }

        [Fact]
        public void Outside_an_operation_nothing_is_registered_and_short_values_are_never_masked()
        {
            _ = new Secret(Value);
            Assert.Equal(Value, OperationSecrets.Redact(Value));

            using (OperationSecrets.Begin())
            {
                _ = new Secret("abc");
                Assert.Equal("abc abcd", OperationSecrets.Redact("abc abcd"));
            }
        }

        [Fact]
        public async Task Two_operations_never_see_each_others_secrets_and_a_callee_registers_with_its_caller()
        {
            var inFirst = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var inSecond = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

            async Task<string> Operation(string secret, string other, TaskCompletionSource<bool> mine, TaskCompletionSource<bool> theirs)
            {
                using (OperationSecrets.Begin())
                {
                    await RevealAsync(secret);
                    mine.SetResult(true);
                    await theirs.Task;
                    return OperationSecrets.Redact(secret + " " + other);
                }
            }

            string[] results = await Task.WhenAll(
                Operation("first-operation-secret", "second-operation-secret", inFirst, inSecond),
                Operation("second-operation-secret", "first-operation-secret", inSecond, inFirst));

            Assert.Equal("*** second-operation-secret", results[0]);
            Assert.Equal("*** first-operation-secret", results[1]);
        }

        [Fact]
        public async Task A_token_endpoint_that_echoes_the_Basic_credentials_or_the_url_encoded_secret_is_redacted()
        {
            using var server = TestHttpServer.Start();
            server.Handler = r => TestResponse.Error(400, "invalid_request", $"bad header {r.Header("Authorization")} and body {Uri.EscapeDataString("pa ss/wo+rd!")}");
            using HttpClient http = McpHttpClientFactory.Create(TimeSpan.FromSeconds(10));
            AuthorizationServerMetadata asm = server.Metadata();
            var client = new ClientIdentity("cid", TokenEndpointAuthMethods.ClientSecretBasic, ClientIdentitySource.PreRegistered, asm.Issuer, new Secret("pa ss/wo+rd!"));

            var ex = await Assert.ThrowsAsync<McpAuthException>(() => new TokenEndpointClient(http, new RecordingCallbacks()).RefreshAsync(asm, client, new Secret("refresh-token-1"), new Uri("http://127.0.0.1:9/mcp"), null, CancellationToken.None));

            Assert.Contains("bad header Basic *** and body ***", ex.Message, StringComparison.Ordinal);
        }

        private static async Task RevealAsync(string value)
        {
            await Task.Yield();
            _ = new Secret(value).Reveal();
        }
    }
}
