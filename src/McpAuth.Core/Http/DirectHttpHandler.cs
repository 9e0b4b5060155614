using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// Sends HTTP/1.1 on the calling thread when that thread waits for the answer anyway (<see cref="WaitingThread"/>):
    /// a PowerShell command's pipeline thread. The request is written and its response read with blocking socket
    /// calls on that thread, so a call costs no thread-pool work item and wakes no idle worker. .NET's handler
    /// (<paramref name="fallback"/>) sends everything else: requests from the thread pool, through a proxy, or for a
    /// version other than HTTP/1.x. Connections are pooled per host and retired a second before the idle timeout the
    /// server announces (<c>Keep-Alive: timeout=N</c>, up to <see cref="McpHttpClientFactory.LongestAnnouncedKeepAlive"/>;
    /// an answer that announces none leaves what the host last announced), or after
    /// <see cref="McpHttpClientFactory.PooledConnectionIdleTimeout"/> idle while it has announced none; a reused
    /// connection that ends before the first byte of a response is replaced and the request sent once more, as .NET does.
    /// </summary>
    internal sealed class DirectHttpHandler : HttpMessageHandler
    {
        private const int MaxIdlePerHost = 32;

        private static readonly Func<IWebProxy?> EnvironmentProxy = FindDefaultProxy();

        private readonly HttpMessageInvoker fallback;
        private readonly RemoteCertificateValidationCallback? validate;
        private readonly Dictionary<string, Host> hosts = new Dictionary<string, Host>(StringComparer.Ordinal);
        private Timer? sweeper;
        private bool disposed;

        /// <param name="fallback">The handler for what is not sent directly; disposed with this one.</param>
        /// <param name="validate">Checks a server's TLS certificate; null accepts what the system accepts.</param>
        public DirectHttpHandler(HttpMessageHandler fallback, RemoteCertificateValidationCallback? validate = null)
        {
            this.fallback = new HttpMessageInvoker(fallback, disposeHandler: true);
            this.validate = validate;
        }

        /// <summary>Gets the number of requests sent directly (for tests and the benchmark).</summary>
        internal long DirectRequests => Interlocked.Read(ref directRequests);

        private long directRequests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Host? host = WaitingThread.IsCurrent ? HostFor(request) : null;
            if (host is null)
            {
                return fallback.SendAsync(request, cancellationToken);
            }

            try
            {
                return Task.FromResult(Send(host, request, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<HttpResponseMessage>(cancellationToken);
            }
            catch (Exception ex)
            {
                return Task.FromException<HttpResponseMessage>(ex);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                List<Http1Connection> idle = new List<Http1Connection>();
                lock (hosts)
                {
                    disposed = true;
                    sweeper?.Dispose();
                    foreach (Host host in hosts.Values)
                    {
                        idle.AddRange(host.Idle);
                        host.Idle.Clear();
                    }
                }

                idle.ForEach(c => c.Dispose());
                fallback.Dispose();
            }

            base.Dispose(disposing);
        }

        private static Func<IWebProxy?> FindDefaultProxy()
        {
            // HttpClient.DefaultProxy (what .NET's own handler uses: HTTPS_PROXY, HTTP_PROXY, NO_PROXY or the system's)
            // is not in netstandard2.0; Windows PowerShell's runtime has WebRequest.DefaultWebProxy instead.
            PropertyInfo? property = typeof(HttpClient).GetProperty("DefaultProxy", BindingFlags.Public | BindingFlags.Static);
            return property is not null ? () => property.GetValue(null) as IWebProxy : () => WebRequest.DefaultWebProxy;
        }

        private static bool ThroughProxy(Uri uri)
        {
            try
            {
                IWebProxy? proxy = EnvironmentProxy();
                if (proxy is null || proxy.IsBypassed(uri))
                {
                    return false;
                }

                Uri? via = proxy.GetProxy(uri);
                return via is not null && via != uri;
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is NotSupportedException || ex is UriFormatException || ex is System.Security.SecurityException)
            {
                return true; // let .NET's handler work it out
            }
        }

        /// <summary>The host's pool, or null when the request is not one to send directly.</summary>
        private Host? HostFor(HttpRequestMessage request)
        {
            Uri? uri = request.RequestUri;
            if (uri is null || !uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || request.Version.Major != 1)
            {
                return null;
            }

            string key = uri.GetLeftPart(UriPartial.Authority);
            lock (hosts)
            {
                if (disposed)
                {
                    return null;
                }

                if (!hosts.TryGetValue(key, out Host? host))
                {
                    host = new Host(ThroughProxy(uri));
                    hosts.Add(key, host);
                }

                return host.Proxied ? null : host;
            }
        }

        private HttpResponseMessage Send(Host host, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uri uri = request.RequestUri!;
            MemoryStream? wire = null;
            for (int attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Http1Connection? connection = Rent(host);
                bool reused = connection is not null;
                try
                {
                    connection ??= Http1Connection.Open(uri, validate, cancellationToken);

                    // The body is taken only once there is a connection to write it to: a request whose connection
                    // could not be made was not sent, and UnsentRequestRetryHandler may send it again.
                    wire ??= Http1Request.Serialize(request, uri);
                    connection.Write(wire.GetBuffer(), (int)wire.Length, cancellationToken);
                    Http1ResponseHead head = connection.ReadHead(cancellationToken);
                    Interlocked.Increment(ref directRequests);
                    return Http1Request.Response(request, head, connection, request.Headers.ConnectionClose == true ? null : c => Return(host, c));
                }
                catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
                {
                    connection?.Dispose();
                    cancellationToken.ThrowIfCancellationRequested();
                    if (reused && attempt == 0 && ex is Http1Connection.NoResponseException)
                    {
                        continue; // a pooled connection the server had closed: the request did not reach it
                    }

                    throw new HttpRequestException(ex is Http1Connection.NoResponseException ? ex.Message : "The connection to the server failed: " + ex.Message, ex);
                }
                catch
                {
                    connection?.Dispose();
                    throw;
                }
            }
        }

        private Http1Connection? Rent(Host host)
        {
            while (true)
            {
                Http1Connection candidate;
                TimeSpan keep;
                lock (hosts)
                {
                    if (host.Idle.Count == 0)
                    {
                        return null;
                    }

                    candidate = host.Idle.Pop();
                    keep = host.KeepFor(candidate);
                }

                if (candidate.IdleFor < keep && candidate.CanTakeRequest())
                {
                    return candidate;
                }

                candidate.Dispose();
            }
        }

        private void Return(Host host, Http1Connection connection)
        {
            // Only what costs no system call here: Rent asks the socket whether the server closed it or sent
            // something, just before the connection's next use, which is where it matters.
            if (connection.IsClosed || connection.Buffered != 0)
            {
                connection.Dispose();
                return;
            }

            connection.MarkIdle();
            lock (hosts)
            {
                host.Announced = connection.Announced ?? host.Announced;
                if (!disposed && host.Idle.Count < MaxIdlePerHost)
                {
                    host.Idle.Push(connection);
                    sweeper ??= new Timer(static s => ((DirectHttpHandler)s!).Sweep(), this, McpHttpClientFactory.PooledConnectionIdleTimeout, McpHttpClientFactory.PooledConnectionIdleTimeout);
                    return;
                }
            }

            connection.Dispose();
        }

        /// <summary>Closes connections idle for longer than the pool keeps them, so that none lingers half-closed.</summary>
        private void Sweep()
        {
            var stale = new List<Http1Connection>();
            lock (hosts)
            {
                foreach (Host host in hosts.Values)
                {
                    if (host.Idle.Count == 0)
                    {
                        continue;
                    }

                    Http1Connection[] all = host.Idle.ToArray();
                    host.Idle.Clear();
                    for (int i = all.Length - 1; i >= 0; i--)
                    {
                        if (all[i].IdleFor >= host.KeepFor(all[i]))
                        {
                            stale.Add(all[i]);
                        }
                        else
                        {
                            host.Idle.Push(all[i]);
                        }
                    }
                }
            }

            stale.ForEach(c => c.Dispose());
        }

        private sealed class Host
        {
            public Host(bool proxied) => Proxied = proxied;

            public bool Proxied { get; }

            public Stack<Http1Connection> Idle { get; } = new Stack<Http1Connection>();

            /// <summary>
            /// Gets or sets the keep-alive the server last announced on any of its connections (a server has one); null
            /// before one. It matters for answers that announce nothing: a Node server announces its keep-alive on every
            /// answer but those whose Connection field the application set itself, as MCP SDK servers do on their event
            /// streams.
            /// </summary>
            public TimeSpan? Announced { get; set; }

            /// <summary>How long <paramref name="connection"/> may stay idle: its own last announcement, else the host's, else the pool's limit.</summary>
            public TimeSpan KeepFor(Http1Connection connection) => connection.Announced ?? Announced ?? McpHttpClientFactory.PooledConnectionIdleTimeout;
        }
    }
}
