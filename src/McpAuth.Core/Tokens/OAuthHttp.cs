using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Tokens
{
    /// <summary>One request to an OAuth endpoint and its answer: status, and the body as JSON when it is JSON.</summary>
    internal sealed class OAuthHttpResponse
    {
        public OAuthHttpResponse(HttpStatusCode status, JsonElement? json)
        {
            Status = status;
            Json = json;
        }

        public HttpStatusCode Status { get; }

        /// <summary>Gets the body's root element, or null when the body is not JSON.</summary>
        public JsonElement? Json { get; }

        public bool IsSuccess => (int)Status >= 200 && (int)Status <= 299;

        /// <summary>Gets the root when it is a JSON object, else null.</summary>
        public JsonElement? Object => Json is JsonElement e && e.ValueKind == JsonValueKind.Object ? e : null;
    }

    /// <summary>Sends requests to OAuth endpoints and turns transport failures into engine errors.</summary>
    internal static class OAuthHttp
    {
        /// <summary>Builds a POST with an application/x-www-form-urlencoded body.</summary>
        public static HttpRequestMessage FormPost(Uri endpoint, IEnumerable<KeyValuePair<string, string>> form)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new FormUrlEncodedContent(form),
            };
            request.Headers.Accept.ParseAdd("application/json");
            return request;
        }

        /// <summary>Builds a POST with a JSON body.</summary>
        public static HttpRequestMessage JsonPost(Uri endpoint, string json)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.ParseAdd("application/json");
            return request;
        }

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
                return new OAuthHttpResponse(response.StatusCode, TryParseJson(body));
            }
        }

        private static JsonElement? TryParseJson(string body)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return null;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
