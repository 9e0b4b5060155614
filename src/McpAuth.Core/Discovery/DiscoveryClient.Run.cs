using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using McpAuth.Core.Http;

namespace McpAuth.Core.Discovery
{
    /// <summary>The state of one discovery run (its trace of steps) and how it fetches and parses each metadata document.</summary>
    public sealed partial class DiscoveryClient
    {
        /// <summary>The state of one discovery run: the trace, and the fetch helper.</summary>
        private sealed class Run
        {
            private readonly DiscoveryClient owner;
            private readonly HttpClient http;
            private readonly IEngineCallbacks callbacks;
            private readonly List<DiscoveryStep> trace = new List<DiscoveryStep>();
            private readonly System.Diagnostics.Stopwatch sinceLastStep = System.Diagnostics.Stopwatch.StartNew();

            public Run(DiscoveryClient owner, HttpClient http, IEngineCallbacks callbacks)
            {
                this.owner = owner;
                this.http = http;
                this.callbacks = callbacks;
            }

            public IReadOnlyList<DiscoveryStep> Trace => trace;

            public void Note(string document, Uri url, string decision, int? status = null)
            {
                var step = new DiscoveryStep(document, url, status, decision, sinceLastStep.Elapsed);
                sinceLastStep.Restart();
                trace.Add(step);
                owner.StepTaken?.Invoke(step);
                callbacks.Verbose("Discovery: " + step);
            }

            /// <summary>Runs a parser, noting a malformed document in the trace before the error propagates.</summary>
            public T Parse<T>(string document, Uri url, Func<T> parse)
            {
                try
                {
                    return parse();
                }
                catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.MalformedMetadata)
                {
                    Note(document, url, "refused: the document is malformed");
                    throw;
                }
            }

            /// <summary>GETs a candidate document: its body on 200, null when the caller should try the next candidate.</summary>
            public async Task<string?> FetchAsync(string document, Uri url, CancellationToken cancellationToken)
            {
                RequireEndpoint(this, document, url, document + " URL");
                callbacks.Verbose($"Discovery: fetching {document} from {url}");
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                HttpResponseMessage response;
                try
                {
                    response = await PeerRequest.SendAsync(http, request, "server of the " + document, cancellationToken).ConfigureAwait(false);
                }
                catch (McpAuthException ex)
                {
                    Note(document, url, ex.ErrorId == ErrorIds.RequestTimedOut ? "no answer in time" : "could not connect");
                    throw;
                }

                using (response)
                {
                    int status = (int)response.StatusCode;
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        string decision = status >= 300 && status < 400
                            ? "a redirect, which is not followed; trying the next location"
                            : "not there; trying the next location";
                        Note(document, url, decision, status);
                        return null;
                    }

                    string body;
                    try
                    {
                        body = await HttpBody.ReadStringAsync(response, owner.MaxDocumentBytes, url, cancellationToken).ConfigureAwait(false);
                    }
                    catch (McpAuthException ex)
                    {
                        Note(document, url, ex.ErrorId == ErrorIds.ResponseTooLarge ? "refused: the document is too large" : ex.ErrorId == ErrorIds.RequestTimedOut ? "the body did not arrive in time" : "the connection broke while reading", status);
                        throw;
                    }
                    catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        Note(document, url, "the body did not arrive in time", status);
                        throw new McpAuthException(ErrorIds.RequestTimedOut, McpErrorKind.Timeout, $"Reading the {document} from {url} timed out. Try again.", url, ex);
                    }
                    catch (Exception ex) when (ex is HttpRequestException || ex is System.IO.IOException)
                    {
                        Note(document, url, "the connection broke while reading", status);
                        throw new McpAuthException(ErrorIds.ServerUnreachable, McpErrorKind.ConnectionError, $"The connection to {url} broke while reading the {document}. Try again.", url, ex);
                    }

                    Note(document, url, "found; parsing", status);
                    return body;
                }
            }
        }
    }
}
