using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace McpAuth.Core.Http
{
    /// <summary>The addresses <see cref="Http1Connection"/> connects to: an IP literal as it is, else what DNS answers.</summary>
    internal static class HostAddresses
    {
        /// <exception cref="HttpRequestException">The host has no address, or the lookup failed.</exception>
        /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
        public static IPAddress[] Resolve(string host, CancellationToken cancellationToken)
        {
            if (IPAddress.TryParse(host, out IPAddress? literal))
            {
                return new[] { literal };
            }

            Task<IPAddress[]> lookup = Dns.GetHostAddressesAsync(host);
            try
            {
                lookup.Wait(cancellationToken);
                return lookup.Result.Length > 0 ? lookup.Result : throw new HttpRequestException($"The host '{host}' has no address.");
            }
            catch (AggregateException ex) when (ex.InnerException is SocketException)
            {
                throw new HttpRequestException(ex.InnerException.Message, ex.InnerException);
            }
        }
    }
}
