using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace McpAuth.Core.Http
{
    /// <summary>
    /// How a connection reaches its servers through the network a company runs: an HTTP proxy (by default the
    /// one the environment names, as .NET reads it: HTTPS_PROXY, HTTP_PROXY and NO_PROXY, or the system's) and
    /// the certificate authorities of a TLS-inspecting proxy or a private PKI, trusted besides the system's.
    /// </summary>
    public sealed record NetworkOptions
    {
        /// <summary>Gets the defaults: the environment's proxy, the system's certificate authorities.</summary>
        public static NetworkOptions Default { get; } = new NetworkOptions();

        /// <summary>Gets the proxy to use for every request; null uses the environment's.</summary>
        public Uri? Proxy { get; init; }

        /// <summary>Gets the path of a PEM file of certificate authorities to trust as well as the system's; null trusts only the system's.</summary>
        public string? CertificateAuthorityPath { get; init; }

        /// <summary>Applies these options to <paramref name="handler"/>.</summary>
        /// <exception cref="McpAuthException"><c>InvalidProxy</c>, <c>InvalidCertificateAuthority</c>.</exception>
        public void ApplyTo(HttpClientHandler handler)
        {
            Guard.NotNull(handler, nameof(handler));
            if (Proxy is Uri proxy)
            {
                if (!proxy.IsAbsoluteUri || (proxy.Scheme != Uri.UriSchemeHttp && proxy.Scheme != Uri.UriSchemeHttps) || proxy.Host.Length == 0)
                {
                    throw new McpAuthException(ErrorIds.InvalidProxy, McpErrorKind.InvalidArgument, $"The proxy '{proxy}' is not an absolute http or https URL (for example http://proxy.example.com:3128).", proxy);
                }

                handler.UseProxy = true;
                handler.Proxy = new WebProxy(proxy) { BypassProxyOnLocal = false };
            }

            if (CertificateAuthorityPath is string path)
            {
                X509Certificate2[] authorities = ReadAuthorities(path);
                handler.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, authorities);
            }
        }

        /// <summary>
        /// Accepts a server certificate the system accepts, or one whose only fault is a root the system does not
        /// know, when that root is one of <paramref name="authorities"/>. A name mismatch or an expired certificate
        /// is never accepted.
        /// </summary>
        internal static bool Validate(X509Certificate2? certificate, SslPolicyErrors errors, IReadOnlyList<X509Certificate2> authorities)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            foreach (X509Certificate2 authority in authorities)
            {
                chain.ChainPolicy.ExtraStore.Add(authority);
            }

            if (!chain.Build(certificate) || chain.ChainElements.Count == 0)
            {
                return false;
            }

            foreach (X509ChainStatus status in chain.ChainStatus)
            {
                if (status.Status != X509ChainStatusFlags.NoError && status.Status != X509ChainStatusFlags.UntrustedRoot)
                {
                    return false;
                }
            }

            X509Certificate2 root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
            return authorities.Any(a => string.Equals(a.Thumbprint, root.Thumbprint, StringComparison.OrdinalIgnoreCase));
        }

        private static readonly Regex PemCertificate = new Regex(
            "-----BEGIN CERTIFICATE-----(?<body>[A-Za-z0-9+/=\\s]+?)-----END CERTIFICATE-----",
            RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1));

        private static X509Certificate2[] ReadAuthorities(string path)
        {
            string text;
            try
            {
                var info = new FileInfo(path);
                if (info.Exists && info.Length > 4 * 1024 * 1024)
                {
                    throw Invalid(path, "it is larger than 4 MiB");
                }

                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                throw Invalid(path, "it cannot be read (" + ex.GetType().Name + ")");
            }

            var authorities = new List<X509Certificate2>();
            foreach (Match match in PemCertificate.Matches(text))
            {
                try
                {
                    authorities.Add(new X509Certificate2(Convert.FromBase64String(Regex.Replace(match.Groups["body"].Value, "\\s+", string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1)))));
                }
                catch (Exception ex) when (ex is FormatException || ex is System.Security.Cryptography.CryptographicException)
                {
                    throw Invalid(path, "one of its certificates cannot be read");
                }
            }

            return authorities.Count > 0 ? authorities.ToArray() : throw Invalid(path, "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }

        private static McpAuthException Invalid(string path, string why) =>
            new McpAuthException(ErrorIds.InvalidCertificateAuthority, McpErrorKind.InvalidArgument, $"The certificate authority file '{path}' cannot be used: {why}. Give a PEM file of CA certificates.", path);
    }
}
