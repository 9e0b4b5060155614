using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Tests.Fuzz
{
    /// <summary>How a scripted answer ends after its last segment.</summary>
    public enum RawEnd
    {
        /// <summary>Close the connection (FIN).</summary>
        Close,

        /// <summary>Reset the connection (RST, linger 0).</summary>
        Reset,

        /// <summary>Keep the connection open and silent until the server stops (a stalled peer).</summary>
        Hold,
    }

    /// <summary>A piece of an answer: bytes written after a pause.</summary>
    public readonly record struct RawSegment(byte[] Bytes, int DelayMs = 0);

    /// <summary>
    /// A scripted answer, byte for byte: what is written, when, and how the connection ends. The fuzzer builds
    /// well-formed HTTP with it and then breaks it anywhere (status line, headers, framing, timing).
    /// </summary>
    public sealed class RawReply
    {
        public List<RawSegment> Segments { get; } = new();

        public RawEnd End { get; set; } = RawEnd.Close;

        public static RawReply Of(byte[] bytes, RawEnd end = RawEnd.Close)
        {
            var reply = new RawReply { End = end };
            reply.Segments.Add(new RawSegment(bytes));
            return reply;
        }
    }

    /// <summary>
    /// A real HTTP/1.1 listener on 127.0.0.1 (port 0) that writes exactly the bytes it is given: unlike
    /// <see cref="TestHttpServer"/> (whose request reader it shares) it can send broken framing, stall, trickle
    /// or reset. One request per connection. Every stall ends when the server is disposed.
    /// </summary>
    public sealed class RawHttpServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly CancellationTokenSource stop = new();
        private readonly Func<TestRequest, RawReply> handler;
        private readonly Task loop;
        private readonly List<TcpClient> open = new();
        private int disposed;

        public RawHttpServer(Func<TestRequest, RawReply> handler)
        {
            this.handler = handler;
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            loop = Task.Run(AcceptLoopAsync);
        }

        public int Port { get; }

        /// <summary>Gets http://127.0.0.1:port (no trailing slash).</summary>
        public string Origin => $"http://127.0.0.1:{Port}";

        /// <summary>Gets the first exception the handler threw (a bug in the world, not the engine).</summary>
        public Exception? HandlerFault { get; private set; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            stop.Cancel();
            listener.Stop();
            lock (open)
            {
                foreach (TcpClient c in open)
                {
                    c.Dispose();
                }
            }

            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        private async Task AcceptLoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (Exception ex) when (stop.IsCancellationRequested || ex is SocketException || ex is ObjectDisposedException)
                {
                    return;
                }

                lock (open)
                {
                    open.Add(client);
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                TestRequest? request = await TestHttpServer.ReadRequestAsync(stream, stop.Token);
                if (request is null)
                {
                    return;
                }

                RawReply reply;
                try
                {
                    reply = handler(request);
                }
                catch (Exception ex)
                {
                    HandlerFault ??= ex;
                    reply = RawReply.Of(Encoding.ASCII.GetBytes("HTTP/1.1 599 World Fault\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                }

                foreach (RawSegment segment in reply.Segments)
                {
                    if (segment.DelayMs > 0)
                    {
                        await Task.Delay(segment.DelayMs, stop.Token);
                    }

                    await stream.WriteAsync(segment.Bytes, stop.Token);
                    await stream.FlushAsync(stop.Token);
                }

                switch (reply.End)
                {
                    case RawEnd.Reset:
                        client.Client.LingerState = new LingerOption(true, 0);
                        break;
                    case RawEnd.Hold:
                        await Task.Delay(Timeout.Infinite, stop.Token);
                        break;
                    default:
                        client.Client.Shutdown(SocketShutdown.Send);

                        // Let the client read to the end before the socket goes.
                        await Task.Delay(50, stop.Token);
                        break;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
            {
            }
            finally
            {
                lock (open)
                {
                    open.Remove(client);
                }

                client.Dispose();
            }
        }
    }
}
