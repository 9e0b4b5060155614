using System;
using System.Collections.Generic;
using McpAuth.Core.Registration;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>What Update-McpCredential asks of a connection's credential.</summary>
    public enum CredentialChangeKind
    {
        /// <summary>Refresh the access token now.</summary>
        Refresh,

        /// <summary>Require more scopes: a step-up with consent when they are missing.</summary>
        AddScopes,

        /// <summary>Sign in again with another (pre-registered) client.</summary>
        SwitchClient,

        /// <summary>Revoke the tokens at the authorization server and forget them; the client identity stays.</summary>
        Revoke,
    }

    /// <summary>
    /// One change to a credential (<see cref="OAuthAuthorizer.ChangeAsync"/>), with the way to authorize any
    /// sign-in it needs when the caller names one.
    /// </summary>
    public sealed class CredentialChange
    {
        private CredentialChange(CredentialChangeKind kind, IReadOnlyList<string>? scopes, ClientOptions? client)
        {
            Kind = kind;
            Scopes = scopes;
            Client = client;
        }

        /// <summary>Gets what to change.</summary>
        public CredentialChangeKind Kind { get; }

        /// <summary>Gets the scopes to require, for <see cref="CredentialChangeKind.AddScopes"/>.</summary>
        public IReadOnlyList<string>? Scopes { get; }

        /// <summary>Gets the client to switch to, for <see cref="CredentialChangeKind.SwitchClient"/>.</summary>
        public ClientOptions? Client { get; }

        /// <summary>Gets the way to authorize a sign-in this change needs; null keeps the connection's.</summary>
        public AuthorizationMethod? Method { get; private init; }

        /// <summary>Gets the caller's handler, for <see cref="AuthorizationMethod.Handler"/>.</summary>
        public object? AuthorizationHandler { get; private init; }

        public static CredentialChange Refresh() => new CredentialChange(CredentialChangeKind.Refresh, null, null);

        public static CredentialChange AddScopes(IReadOnlyList<string> scopes) =>
            new CredentialChange(CredentialChangeKind.AddScopes, Guard.NotNull(scopes, nameof(scopes)), null);

        public static CredentialChange SwitchClient(ClientOptions client) =>
            new CredentialChange(CredentialChangeKind.SwitchClient, null, Guard.NotNull(client, nameof(client)));

        public static CredentialChange Revoke() => new CredentialChange(CredentialChangeKind.Revoke, null, null);

        /// <summary>Returns this change authorizing any sign-in with <paramref name="method"/> (and <paramref name="handler"/>).</summary>
        public CredentialChange AuthorizingWith(AuthorizationMethod method, object? handler = null) =>
            new CredentialChange(Kind, Scopes, Client) { Method = method, AuthorizationHandler = handler };

        /// <summary>Returns only the way to authorize of this change, for a connection to keep.</summary>
        internal CredentialChange AuthorizingOnly() => new CredentialChange(CredentialChangeKind.Refresh, null, null) { Method = Method, AuthorizationHandler = AuthorizationHandler };

        /// <summary>The connection's options as this change uses them.</summary>
        internal SignInOptions ApplyTo(SignInOptions options)
        {
            SignInOptions result = Client is null ? options : options with { Client = Client };
            return Method is AuthorizationMethod method
                ? result with { Method = method, MethodChosen = true, AuthorizationHandler = AuthorizationHandler ?? result.AuthorizationHandler }
                : result;
        }
    }
}
