using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// The assertion grants: RFC 8693 token exchange (an identity assertion for an identity assertion JWT
    /// authorization grant, ID-JAG, at the organisation's identity provider; SEP-990) and the RFC 7523 JWT bearer
    /// grant (an ID-JAG or a workload's assertion for tokens at the MCP server's authorization server).
    /// </summary>
    public sealed partial class TokenEndpointClient
    {
        /// <summary>The RFC 7523 grant type of an assertion used as an authorization grant.</summary>
        public const string JwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

        /// <summary>The RFC 8693 token exchange grant type.</summary>
        public const string TokenExchangeGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

        /// <summary>
        /// Requests tokens with an assertion as the authorization grant (RFC 7523 §2.1): an ID-JAG, or the JWT a
        /// platform gives a workload. The assertion is sent once; an error is reported at once, never retried.
        /// </summary>
        /// <param name="asm">The authorization server's metadata.</param>
        /// <param name="client">The client identity at it.</param>
        /// <param name="assertion">The assertion.</param>
        /// <param name="scopes">Scopes to request; none sends no <c>scope</c>.</param>
        /// <param name="resource">The MCP server the token is for.</param>
        /// <param name="what">What the assertion is, for messages ("ID-JAG", "workload identity assertion").</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public async Task<TokenSet> JwtBearerAsync(
            AuthorizationServerMetadata asm,
            ClientIdentity client,
            Secret assertion,
            IReadOnlyList<string>? scopes,
            Uri resource,
            string what,
            CancellationToken cancellationToken)
        {
            Guard.NotNull(assertion, nameof(assertion));
            using IDisposable operation = OperationSecrets.Begin();
            var form = new List<KeyValuePair<string, string>>
            {
                Pair("grant_type", JwtBearerGrantType),
                Pair("assertion", assertion.Reveal()),
            };
            AddScope(form, scopes);
            return await RequestTokensAsync(asm, client, form, resource, scopes, null, what, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Exchanges an identity assertion for an ID-JAG at the identity provider (RFC 8693; SEP-990):
        /// <c>requested_token_type</c> id-jag, <c>audience</c> the MCP server's authorization server,
        /// <c>resource</c> the MCP server. Returns the ID-JAG and when it expires.
        /// </summary>
        /// <param name="idp">The identity provider's metadata.</param>
        /// <param name="client">McpAuth's client at the identity provider.</param>
        /// <param name="subjectToken">The identity assertion (ID token or SAML assertion).</param>
        /// <param name="subjectTokenType">Its RFC 8693 token type.</param>
        /// <param name="audience">The issuer of the authorization server the ID-JAG is for.</param>
        /// <param name="resource">The MCP server's resource identifier.</param>
        /// <param name="scopes">Scopes to ask for; none sends no <c>scope</c>.</param>
        /// <param name="cancellationToken">Cancels the request.</param>
        public async Task<IssuedAssertion> ExchangeForIdJagAsync(
            AuthorizationServerMetadata idp,
            ClientIdentity client,
            Secret subjectToken,
            string subjectTokenType,
            string audience,
            string resource,
            IReadOnlyList<string>? scopes,
            CancellationToken cancellationToken)
        {
            Guard.NotNull(subjectToken, nameof(subjectToken));
            CheckClient(idp, client);
            Uri endpoint = RequireTokenEndpoint(idp);
            using IDisposable operation = OperationSecrets.Begin();
            var form = new List<KeyValuePair<string, string>>
            {
                Pair("grant_type", TokenExchangeGrantType),
                Pair("requested_token_type", EnterpriseOptions.IdJagType),
                Pair("subject_token", subjectToken.Reveal()),
                Pair("subject_token_type", subjectTokenType),
                Pair("audience", audience),
                Pair("resource", resource),
            };
            AddScope(form, scopes);
            callbacks.Verbose($"Exchanging the identity assertion at {endpoint.GetLeftPart(UriPartial.Path)} for an ID-JAG for {audience} (resource {resource}) as client '{client.ClientId}'.");
            (OAuthHttpResponse response, DateTimeOffset sentAt) = await PostAsync(endpoint, client, Audience(idp), form, "identity provider's token endpoint", cancellationToken).ConfigureAwait(false);
            TokenExchangeResponse? body = response.IsSuccess ? response.Read(TokensJsonContext.Default.TokenExchangeResponse) : null;
            if (body is null || response.Error is not null)
            {
                throw TokenErrors.From(response, endpoint, client, "token exchange");
            }

            if (string.IsNullOrEmpty(body.AccessToken))
            {
                throw TokenErrors.Malformed(endpoint, "The token exchange response has no access_token.");
            }

            var idJag = new Secret(body.AccessToken!);
            if (!string.Equals(body.IssuedTokenType, EnterpriseOptions.IdJagType, StringComparison.Ordinal))
            {
                throw TokenErrors.Malformed(endpoint, $"The token exchange issued a token of type '{ServerText.Sanitize(body.IssuedTokenType ?? "(none)", 80)}', not an ID-JAG.");
            }

            DateTimeOffset? expiresAt = body.ExpiresIn > 0 ? sentAt.AddSeconds(body.ExpiresIn.Value) : null;
            callbacks.Verbose($"Received an ID-JAG for {audience}{(expiresAt is null ? string.Empty : " (expires " + expiresAt.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + ")")}.");
            return new IssuedAssertion(idJag, expiresAt);
        }
    }

    /// <summary>An assertion a token endpoint issued (an ID-JAG), with when it expires.</summary>
    public sealed class IssuedAssertion
    {
        public IssuedAssertion(Secret value, DateTimeOffset? expiresAt)
        {
            Value = Guard.NotNull(value, nameof(value));
            ExpiresAt = expiresAt;
        }

        /// <summary>Gets the assertion.</summary>
        public Secret Value { get; }

        /// <summary>Gets when it expires, when the server said.</summary>
        public DateTimeOffset? ExpiresAt { get; }
    }
}
