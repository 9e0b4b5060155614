using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// Adds a client's authentication to a request to the token, device authorization or revocation
    /// endpoint, per its <see cref="ClientIdentity.TokenEndpointAuthMethod"/> (RFC 6749 §2.3, RFC 7523 §2.2).
    /// Every credential it sends (the Basic header value, an assertion) is registered with the current
    /// operation, so a server that echoes one back is redacted.
    /// </summary>
    internal static class ClientAuthentication
    {
        /// <summary>Builds a form POST with the client's authentication applied.</summary>
        /// <param name="endpoint">The endpoint.</param>
        /// <param name="client">The client.</param>
        /// <param name="audience">The <c>aud</c> of a client assertion: the issuer identifier.</param>
        /// <param name="now">The current time, for assertions.</param>
        /// <param name="form">The form body; the client's parameters are added to it.</param>
        public static HttpRequestMessage FormPost(Uri endpoint, ClientIdentity client, string audience, DateTimeOffset now, List<KeyValuePair<string, string>> form)
        {
            AuthenticationHeaderValue? basic = Apply(client, audience, now, form);
            HttpRequestMessage request = OAuthHttp.FormPost(endpoint, form);
            request.Headers.Authorization = basic;
            return request;
        }

        /// <summary>The application/x-www-form-urlencoded encoding RFC 6749 §2.3.1 asks for inside Basic.</summary>
        internal static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+");

        /// <summary>Adds body parameters for the client's method; returns the Basic header value when the method needs one.</summary>
        private static AuthenticationHeaderValue? Apply(ClientIdentity client, string audience, DateTimeOffset now, List<KeyValuePair<string, string>> form)
        {
            switch (client.TokenEndpointAuthMethod)
            {
                case TokenEndpointAuthMethods.ClientSecretBasic:
                {
                    string pair = FormEncode(client.ClientId) + ":" + FormEncode(RequireSecret(client).Reveal());
                    var credentials = new Secret(Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
                    return new AuthenticationHeaderValue("Basic", credentials.Reveal());
                }

                case TokenEndpointAuthMethods.ClientSecretPost:
                    form.Add(new KeyValuePair<string, string>("client_id", client.ClientId));
                    form.Add(new KeyValuePair<string, string>("client_secret", RequireSecret(client).Reveal()));
                    return null;

                case TokenEndpointAuthMethods.PrivateKeyJwt:
                {
                    if (client.PrivateKeyPem is null)
                    {
                        throw new McpAuthException(
                            ErrorIds.ClientIdentityRequired,
                            McpErrorKind.InvalidArgument,
                            $"The client '{client.ClientId}' authenticates with private_key_jwt but no private key was given. Give the PEM private key registered for this client.",
                            client.Issuer);
                    }

                    var assertion = new Secret(ClientAssertion.Create(client.ClientId, audience, client.PrivateKeyPem, client.SigningAlgorithm, now));
                    form.Add(new KeyValuePair<string, string>("client_assertion_type", ClientAssertion.JwtBearerType));
                    form.Add(new KeyValuePair<string, string>("client_assertion", assertion.Reveal()));
                    return null;
                }

                default:
                    form.Add(new KeyValuePair<string, string>("client_id", client.ClientId));
                    return null;
            }
        }

        private static Secret RequireSecret(ClientIdentity client) => client.ClientSecret ?? throw new McpAuthException(
            ErrorIds.ClientIdentityRequired,
            McpErrorKind.InvalidArgument,
            $"The client '{client.ClientId}' authenticates with {client.TokenEndpointAuthMethod} but has no client secret. Give the client's secret.",
            client.Issuer);
    }
}
