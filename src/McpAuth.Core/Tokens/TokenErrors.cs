using System;
using McpAuth.Core.Discovery;
using McpAuth.Core.Http;
using McpAuth.Core.Registration;

namespace McpAuth.Core.Tokens
{
    /// <summary>The errors of token, device authorization and revocation requests, each with what to do next.</summary>
    internal static class TokenErrors
    {
        /// <summary>Turns an unusable answer of the token or device authorization endpoint into an engine error.</summary>
        public static McpAuthException From(OAuthHttpResponse response, Uri endpoint, ClientIdentity client, string what)
        {
            OAuthErrorResponse? error = response.Error;
            if (error is null)
            {
                if (response.IsSuccess)
                {
                    return Malformed(endpoint, $"The answer to the {what} request is not a JSON object of the OAuth form.");
                }

                return new McpAuthException(
                    ErrorIds.TokenRequestFailed,
                    McpErrorKind.ProtocolError,
                    $"The {what} request failed with HTTP {(int)response.Status} and no OAuth error. Try again later, or check the authorization server.",
                    endpoint);
            }

            string detail = error.Describe();
            if (SignInFlow.RefusesResource(error.Error, error.Description))
            {
                return new McpAuthException(
                    ErrorIds.ResourceParameterRejected,
                    McpErrorKind.AuthenticationError,
                    $"The authorization server refused the resource parameter of the {what} ({detail}). Some identity providers (Microsoft Entra ID: AADSTS9010010) take no resource parameter or expect another one.",
                    endpoint);
            }

            switch (error.Error)
            {
                case "invalid_grant":
                    return new McpAuthException(
                        ErrorIds.InvalidGrant,
                        McpErrorKind.AuthenticationError,
                        $"The authorization server rejected the {what} as invalid, expired or revoked ({detail}). Sign in again.",
                        endpoint);
                case "invalid_client":
                    return new McpAuthException(
                        ErrorIds.InvalidClient,
                        McpErrorKind.AuthenticationError,
                        $"The authorization server did not accept the client '{client.ClientId}' ({client.TokenEndpointAuthMethod}) ({detail}). Check the client id and its secret or key; a dynamically registered client can register again.",
                        endpoint);
                case "invalid_scope":
                    return new McpAuthException(
                        ErrorIds.TokenRequestFailed,
                        McpErrorKind.PermissionDenied,
                        $"The authorization server refused the requested scopes for the {what} ({detail}). Request fewer or other scopes.",
                        endpoint);
                case "unauthorized_client":
                case "unsupported_grant_type":
                    return new McpAuthException(
                        ErrorIds.TokenRequestFailed,
                        McpErrorKind.ProtocolError,
                        $"The authorization server does not let the client '{client.ClientId}' use the {what} ({detail}). Use another sign-in method or client.",
                        endpoint);
                default:
                    return new McpAuthException(
                        ErrorIds.TokenRequestFailed,
                        McpErrorKind.ProtocolError,
                        $"The {what} request failed with HTTP {(int)response.Status} ({detail}).",
                        endpoint);
            }
        }

        public static McpAuthException Malformed(Uri endpoint, string message) =>
            new McpAuthException(ErrorIds.MalformedResponse, McpErrorKind.InvalidData, message + " The authorization server's answer cannot be used.", endpoint);

        public static McpAuthException DeviceCodeExpired(AuthorizationServerMetadata asm) =>
            new McpAuthException(
                ErrorIds.AuthorizationTimedOut,
                McpErrorKind.Timeout,
                "The device code expired before the sign-in was approved. Run the command again and enter the new code sooner.",
                asm.Issuer);

        public static McpAuthException DeviceAccessDenied(AuthorizationServerMetadata asm) =>
            new McpAuthException(
                ErrorIds.AuthorizationDenied,
                McpErrorKind.PermissionDenied,
                $"The sign-in at {asm.Issuer} was denied (access_denied). Run the command again and approve the request.",
                asm.Issuer);

        public static McpAuthException DeviceCodeNotSupported(AuthorizationServerMetadata asm) =>
            new McpAuthException(
                ErrorIds.DeviceCodeNotSupported,
                McpErrorKind.InvalidOperation,
                $"The authorization server {asm.Issuer} does not offer the device authorization grant (its metadata has no device_authorization_endpoint). Sign in with a browser instead.",
                asm.Issuer);
    }
}
