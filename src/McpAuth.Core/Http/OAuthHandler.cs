using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// OAuth as an HTTP message handler, in front of every request a connection sends to its MCP server:
    /// the authorizer puts the bearer token on it (or the DPoP-bound token with a proof made for each attempt);
    /// it sees every answer (a DPoP nonce, an accepted token); a 401 goes to the authorizer once per attempt (stored
    /// credential, refresh, or sign-in) and a 403 <c>insufficient_scope</c> to its step-up, and the request
    /// is sent again as long as the authorizer says so, within a fixed bound. The transport above sees
    /// only the final answer, never a challenge it has to handle. Requests to any other URL pass through
    /// untouched: a credential is presented only to the resource it was issued for.
    /// </summary>
    public sealed class OAuthHandler : DelegatingHandler
    {
        /// <summary>More renewals than any authorizer policy allows; a safety net against a loop.</summary>
        private const int MaxAttempts = 6;

        private readonly IRequestAuthorizer authorizer;
        private readonly Uri resource;
        private Uri? lastMatched;

        /// <param name="authorizer">Puts credentials on requests and handles challenges.</param>
        /// <param name="resource">The MCP endpoint; only requests to it carry credentials.</param>
        /// <param name="inner">The handler that sends.</param>
        public OAuthHandler(IRequestAuthorizer authorizer, Uri resource, HttpMessageHandler inner)
            : base(inner)
        {
            this.authorizer = authorizer ?? throw new ArgumentNullException(nameof(authorizer));
            this.resource = resource ?? throw new ArgumentNullException(nameof(resource));
        }

        /// <inheritdoc/>
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!IsForResource(request.RequestUri))
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            IEngineCallbacks callbacks = EngineRequest.Callbacks(request);
            bool handleChallenges = EngineRequest.HandlesChallenges(request);
            byte[]? body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            HttpRequestMessage current = request;
            try
            {
                for (int attempt = 0; ; attempt++)
                {
                    await authorizer.AuthorizeAsync(current, callbacks, cancellationToken).ConfigureAwait(false);
                    HttpResponseMessage response = await base.SendAsync(current, cancellationToken).ConfigureAwait(false);
                    authorizer.Observe(response);
                    if (!IsChallenge(response) || !handleChallenges || attempt + 1 >= MaxAttempts)
                    {
                        return response;
                    }

                    bool again;
                    try
                    {
                        again = await authorizer.HandleChallengeAsync(response, attempt, callbacks, cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        response.Dispose();
                        throw;
                    }

                    if (!again)
                    {
                        return response;
                    }

                    response.Dispose();
                    if (!ReferenceEquals(current, request))
                    {
                        current.Dispose();
                    }

                    current = Copy(request, body);
                }
            }
            catch when (!ReferenceEquals(current, request))
            {
                current.Dispose();
                throw;
            }
        }

        private static bool IsChallenge(HttpResponseMessage response)
            => response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden;

        private bool IsForResource(Uri? target)
        {
            // Every request of a connection carries the same Uri object: compared once, it is known by reference
            // (a Uri cannot change), and the comparison, which takes the URL apart again, is not made on every call.
            if (target is null || ReferenceEquals(target, Volatile.Read(ref lastMatched)))
            {
                return target is not null;
            }

            bool same = Uri.Compare(target, resource, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped, StringComparison.Ordinal) == 0;
            if (same)
            {
                Volatile.Write(ref lastMatched, target);
            }

            return same;
        }

        /// <summary>A fresh message to send again (a sent HttpRequestMessage cannot be sent twice); no Authorization or DPoP header.</summary>
        private static HttpRequestMessage Copy(HttpRequestMessage original, byte[]? body)
        {
            var copy = new HttpRequestMessage(original.Method, original.RequestUri) { Version = original.Version };
            RequestCopy.HeadersAndProperties(original, copy, withCredentials: false);

            if (body is not null)
            {
                copy.Content = new ByteArrayContent(body);
                foreach (KeyValuePair<string, IEnumerable<string>> header in original.Content!.Headers)
                {
                    if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }
                }
            }

            return copy;
        }
    }
}
