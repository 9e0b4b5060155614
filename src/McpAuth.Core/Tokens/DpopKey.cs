using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpAuth.Core.Storage;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// A DPoP key (RFC 9449): an EC P-256 key pair that signs ES256 proofs of possession. A credential's
    /// DPoP-bound tokens are usable only with proofs signed by its key, so the key is kept with the credential
    /// (<see cref="StoredDpopKey"/>). Each proof is fresh: a new <c>jti</c>, the request's method and URL, and the
    /// hash of the access token it goes with (<c>ath</c>). The JWK is written by hand: netstandard2.0 has ECDsa
    /// but no JWK export.
    /// </summary>
    internal sealed class DpopKey
    {
        /// <summary>The JWS algorithm of every proof.</summary>
        public const string Algorithm = "ES256";

        private const int CoordinateBytes = 32;

        private readonly ECParameters parameters;

        private DpopKey(ECParameters parameters)
        {
            this.parameters = parameters;
            X = Base64Url.Encode(parameters.Q.X!);
            Y = Base64Url.Encode(parameters.Q.Y!);
            Thumbprint = Base64Url.Encode(Sha256(Encoding.UTF8.GetBytes("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + X + "\",\"y\":\"" + Y + "\"}")));
        }

        /// <summary>Gets the public key's x coordinate, base64url.</summary>
        public string X { get; }

        /// <summary>Gets the public key's y coordinate, base64url.</summary>
        public string Y { get; }

        /// <summary>Gets the RFC 7638 JWK SHA-256 thumbprint, the <c>jkt</c> a bound token names.</summary>
        public string Thumbprint { get; }

        /// <summary>Makes a new key.</summary>
        public static DpopKey Create()
        {
            using ECDsa ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return new DpopKey(ecdsa.ExportParameters(includePrivateParameters: true));
        }

        /// <summary>Reads a stored key; null when there is none or it cannot be used (then the tokens cannot be either).</summary>
        public static DpopKey? FromStored(StoredDpopKey? stored)
        {
            if (stored?.D is null || stored.Algorithm != Algorithm || stored.Curve != "P-256")
            {
                return null;
            }

            try
            {
                byte[] x = Base64Url.Decode(stored.X);
                byte[] y = Base64Url.Decode(stored.Y);
                byte[] d = Base64Url.Decode(stored.D.Reveal());
                if (x.Length != CoordinateBytes || y.Length != CoordinateBytes || d.Length != CoordinateBytes)
                {
                    return null;
                }

                var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y }, D = d };
                using ECDsa check = ECDsa.Create(parameters);
                return new DpopKey(parameters);
            }
            catch (Exception ex) when (ex is FormatException || ex is CryptographicException)
            {
                return null;
            }
        }

        /// <summary>Returns the key as stored with the credential (the private part as a <see cref="Secret"/>).</summary>
        public StoredDpopKey ToStored() => new StoredDpopKey
        {
            Algorithm = Algorithm,
            Curve = "P-256",
            X = X,
            Y = Y,
            D = new Secret(Base64Url.Encode(parameters.D!)),
        };

        /// <summary>
        /// Makes a proof for one request (RFC 9449 §4.2): <c>htm</c> and <c>htu</c> (the URL without query and
        /// fragment), a fresh <c>jti</c>, <c>iat</c>, the server's <c>nonce</c> when it gave one, and <c>ath</c> when the
        /// request carries <paramref name="accessToken"/>.
        /// </summary>
        public string Proof(string method, Uri target, DateTimeOffset now, string? nonce, Secret? accessToken)
        {
            Guard.NotNull(method, nameof(method));
            Guard.NotNull(target, nameof(target));
            string header = Base64Url.Encode(Json(writer =>
            {
                writer.WriteString("typ", "dpop+jwt");
                writer.WriteString("alg", Algorithm);
                writer.WriteStartObject("jwk");
                writer.WriteString("kty", "EC");
                writer.WriteString("crv", "P-256");
                writer.WriteString("x", X);
                writer.WriteString("y", Y);
                writer.WriteEndObject();
            }));
            string payload = Base64Url.Encode(Json(writer =>
            {
                writer.WriteString("jti", Base64Url.RandomString(18));
                writer.WriteString("htm", method);
                writer.WriteString("htu", Htu(target));
                writer.WriteNumber("iat", now.ToUnixTimeSeconds());
                if (!string.IsNullOrEmpty(nonce))
                {
                    writer.WriteString("nonce", nonce);
                }

                if (accessToken is not null)
                {
                    writer.WriteString("ath", Base64Url.Encode(Sha256(Encoding.ASCII.GetBytes(accessToken.Reveal()))));
                }
            }));
            string signingInput = header + "." + payload;
            using ECDsa ecdsa = ECDsa.Create(parameters);

            // .NET's ECDsa.SignData returns IEEE P1363 (r||s), the JWS form (RFC 7518 §3.4).
            byte[] signature = ecdsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
            return signingInput + "." + Base64Url.Encode(signature);
        }

        /// <summary>The <c>htu</c> of a request to <paramref name="target"/>: scheme, authority and path, no query or fragment.</summary>
        public static string Htu(Uri target) => target.GetLeftPart(UriPartial.Path);

        private static byte[] Sha256(byte[] data)
        {
            using SHA256 sha = SHA256.Create();
            return sha.ComputeHash(data);
        }

        private static byte[] Json(Action<Utf8JsonWriter> write)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                write(writer);
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }
    }
}
