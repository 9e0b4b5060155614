using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>One answer of an OAuth endpoint: the status, and the body read with the size cap.</summary>
    internal sealed class OAuthHttpResponse
    {
        public OAuthHttpResponse(HttpStatusCode status, string body, string? dpopNonce = null)
        {
            Status = status;
            Body = body;
            DpopNonce = dpopNonce;
        }

        /// <summary>Gets the <c>DPoP-Nonce</c> the server sent (RFC 9449 §8), or null.</summary>
        public string? DpopNonce { get; }

        public HttpStatusCode Status { get; }

        public string Body { get; }

        public bool IsSuccess => (int)Status >= 200 && (int)Status <= 299;

        /// <summary>Gets the OAuth error the body carries (RFC 6749 §5.2), or null.</summary>
        public OAuthErrorResponse? Error => OAuthErrorResponse.TryRead(this);

        /// <summary>Reads the body as a JSON object of type <typeparamref name="T"/>; null when it is not one.</summary>
        public T? Read<T>(JsonTypeInfo<T> type)
            where T : class
        {
            string trimmed = Body.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] != '{')
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize(trimmed, type);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>Sends requests to OAuth endpoints and turns transport failures into engine errors.</summary>
    internal static class OAuthHttp
    {
        /// <summary>Builds a POST with an application/x-www-form-urlencoded body.</summary>
        public static HttpRequestMessage FormPost(Uri endpoint, IEnumerable<KeyValuePair<string, string>> form)
            => Post(endpoint, new FormUrlEncodedContent(form));

        /// <summary>Builds a POST with a JSON body.</summary>
        public static HttpRequestMessage JsonPost<T>(Uri endpoint, T body, JsonTypeInfo<T> type)
            => Post(endpoint, new StringContent(JsonSerializer.Serialize(body, type), Encoding.UTF8, "application/json"));

        /// <summary>Sends <paramref name="request"/> (and disposes it) and reads the body with the size cap.</summary>
        public static async Task<OAuthHttpResponse> SendAsync(
            HttpClient http,
            HttpRequestMessage request,
            string role,
            IEngineCallbacks callbacks,
            CancellationToken cancellationToken)
        {
            Uri endpoint = request.RequestUri!;
            callbacks.Verbose($"POST {endpoint.GetLeftPart(UriPartial.Path)} ({role})");
            HttpResponseMessage response;
            try
            {
                response = await PeerRequest.SendAsync(http, request, role, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                request.Dispose();
            }

            using (response)
            {
                string body = await HttpBody.ReadStringAsync(response, HttpBody.DefaultMaxBytes, endpoint, cancellationToken).ConfigureAwait(false);
                callbacks.Verbose($"The {role} answered HTTP {(int)response.StatusCode}.");
                return new OAuthHttpResponse(response.StatusCode, body, DpopNonce(response));
            }
        }

        /// <summary>The name of the header a server hands out a DPoP nonce in (RFC 9449 §8).</summary>
        public const string DpopNonceHeader = "DPoP-Nonce";

        /// <summary>Returns the response's <c>DPoP-Nonce</c> (a printable ASCII token, at most 512 characters), or null.</summary>
        public static string? DpopNonce(HttpResponseMessage response)
        {
            if (!response.Headers.TryGetValues(DpopNonceHeader, out IEnumerable<string>? values))
            {
                return null;
            }

            foreach (string value in values)
            {
                string nonce = value.Trim();
                if (nonce.Length > 0 && nonce.Length <= 512 && nonce.All(c => c > 0x20 && c < 0x7f && c != '"' && c != '\\'))
                {
                    return nonce;
                }
            }

            return null;
        }

        private static HttpRequestMessage Post(Uri endpoint, HttpContent content)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
            request.Headers.Accept.ParseAdd("application/json");
            return request;
        }
    }
}
