using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using McpAuth.Core.Registration;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// Adds a client's authentication to a request to the token, device authorization or revocation
    /// endpoint, per its <see cref="ClientIdentity.TokenEndpointAuthMethod"/> (RFC 6749 §2.3, RFC 7523 §2.2).
    /// </summary>
    internal static class ClientAuthentication
    {
        /// <summary>Adds body parameters for the client's method; returns the Basic header value when the method needs one.</summary>
        /// <param name="client">The client.</param>
        /// <param name="audience">The <c>aud</c> of a client assertion: the issuer identifier.</param>
        /// <param name="now">The current time, for assertions.</param>
        /// <param name="form">The form body to add to.</param>
        /// <param name="sentSecrets">Collects every secret value sent, so error text can be scrubbed of them.</param>
        public static AuthenticationHeaderValue? Apply(
            ClientIdentity client,
            string audience,
            DateTimeOffset now,
            List<KeyValuePair<string, string>> form,
            List<string> sentSecrets)
        {
            switch (client.TokenEndpointAuthMethod)
            {
                case TokenEndpointAuthMethods.ClientSecretBasic:
                {
                    string secret = RequireSecret(client);
                    sentSecrets.Add(secret);
                    string pair = FormEncode(client.ClientId) + ":" + FormEncode(secret);
                    return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
                }

                case TokenEndpointAuthMethods.ClientSecretPost:
                {
                    string secret = RequireSecret(client);
                    sentSecrets.Add(secret);
                    form.Add(new KeyValuePair<string, string>("client_id", client.ClientId));
                    form.Add(new KeyValuePair<string, string>("client_secret", secret));
                    return null;
                }

                case TokenEndpointAuthMethods.PrivateKeyJwt:
                {
                    if (client.PrivateKeyPem is null)
                    {
                        throw new McpAuthException(
                            ErrorIds.ClientIdentityRequired,
                            McpErrorKind.InvalidArgument,
                            $"The client '{client.ClientId}' authenticates with private_key_jwt but no private key was given. Pass the PEM private key registered for this client.",
                            client.Issuer);
                    }

                    string assertion = ClientAssertion.Create(client.ClientId, audience, client.PrivateKeyPem, client.SigningAlgorithm, now);
                    sentSecrets.Add(assertion);
                    form.Add(new KeyValuePair<string, string>("client_assertion_type", ClientAssertion.JwtBearerType));
                    form.Add(new KeyValuePair<string, string>("client_assertion", assertion));
                    return null;
                }

                default:
                    form.Add(new KeyValuePair<string, string>("client_id", client.ClientId));
                    return null;
            }
        }

        /// <summary>Builds a form POST with the client's authentication applied.</summary>
        public static HttpRequestMessage FormPost(
            Uri endpoint,
            ClientIdentity client,
            string audience,
            DateTimeOffset now,
            List<KeyValuePair<string, string>> form,
            List<string> sentSecrets)
        {
            AuthenticationHeaderValue? basic = Apply(client, audience, now, form, sentSecrets);
            HttpRequestMessage request = OAuthHttp.FormPost(endpoint, form);
            request.Headers.Authorization = basic;
            return request;
        }

        /// <summary>The application/x-www-form-urlencoded encoding RFC 6749 §2.3.1 asks for inside Basic.</summary>
        internal static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+");

        private static string RequireSecret(ClientIdentity client)
        {
            if (client.ClientSecret is null)
            {
                throw new McpAuthException(
                    ErrorIds.ClientIdentityRequired,
                    McpErrorKind.InvalidArgument,
                    $"The client '{client.ClientId}' authenticates with {client.TokenEndpointAuthMethod} but has no client secret. Pass -ClientSecret.",
                    client.Issuer);
            }

            return client.ClientSecret.Reveal();
        }
    }
}
