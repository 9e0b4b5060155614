using System;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// A private key from a PEM file (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE
    /// KEY") and the JWS algorithm it signs client assertions with. netstandard2.0 has no PEM import, so
    /// the DER is read here and handed to <see cref="RSA.ImportParameters"/> or <see cref="ECDsa.Create(ECParameters)"/>.
    /// </summary>
    internal sealed class ClientSigningKey : IDisposable
    {
        private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
        private const string EcPublicKeyOid = "1.2.840.10045.2.1";
        private const string P256Oid = "1.2.840.10045.3.1.7";
        private const string P384Oid = "1.3.132.0.34";
        private const string P521Oid = "1.3.132.0.35";

        private static readonly Regex PemBlock = new Regex(
            @"-----BEGIN (?<label>[A-Z0-9 ]+)-----(?<body>[A-Za-z0-9+/=\s]*?)-----END \k<label>-----",
            RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1));

        private readonly RSA? rsa;
        private readonly ECDsa? ecdsa;

        private ClientSigningKey(RSA? rsa, ECDsa? ecdsa, string algorithm)
        {
            this.rsa = rsa;
            this.ecdsa = ecdsa;
            Algorithm = algorithm;
        }

        /// <summary>Gets the JWS <c>alg</c> this key signs with.</summary>
        public string Algorithm { get; }

        /// <summary>Reads the first private key block of <paramref name="pem"/>.</summary>
        /// <param name="pem">The PEM text.</param>
        /// <param name="algorithm">The JWS algorithm wanted, or null to choose from the key.</param>
        public static ClientSigningKey FromPem(string pem, string? algorithm)
        {
            if (string.IsNullOrWhiteSpace(pem))
            {
                throw KeyError("The private key is empty.");
            }

            string? label = null;
            byte[]? der = null;
            foreach (Match match in PemBlock.Matches(pem))
            {
                string candidate = match.Groups["label"].Value;
                if (candidate.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
                {
                    label = candidate;
                    try
                    {
                        der = Convert.FromBase64String(Regex.Replace(match.Groups["body"].Value, @"\s+", string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1)));
                    }
                    catch (FormatException)
                    {
                        throw KeyError("The private key's PEM block is not valid base64.");
                    }

                    break;
                }
            }

            if (label is null || der is null)
            {
                throw KeyError("No '-----BEGIN PRIVATE KEY-----' block was found. Give the key as PEM (PKCS#8).");
            }

            try
            {
                switch (label)
                {
                    case "PRIVATE KEY":
                        return FromPkcs8(der, algorithm);
                    case "RSA PRIVATE KEY":
                        return FromRsa(new DerReader(der).ReadSequence(), algorithm);
                    case "EC PRIVATE KEY":
                        return FromEc(new DerReader(der).ReadSequence(), null, algorithm);
                    case "ENCRYPTED PRIVATE KEY":
                        throw KeyError("The private key is encrypted. Decrypt it first (for example: openssl pkcs8 -in key.pem -out plain.pem).");
                    default:
                        throw KeyError($"Unsupported PEM block '{label}'. Give an RSA or EC key as PKCS#8 ('PRIVATE KEY').");
                }
            }
            catch (FormatException)
            {
                throw KeyError("The private key's DER structure could not be read. Give an unencrypted PKCS#8 RSA or EC key.");
            }
            catch (CryptographicException)
            {
                throw KeyError("The private key was read but the platform rejected it as an RSA or EC key.");
            }
        }

        /// <summary>Signs <paramref name="data"/> as JWS requires (PKCS#1 v1.5 / PSS, or raw r||s for ECDSA).</summary>
        public byte[] Sign(byte[] data)
        {
            HashAlgorithmName hash = Algorithm.Substring(2) switch
            {
                "256" => HashAlgorithmName.SHA256,
                "384" => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA512,
            };

            if (rsa is not null)
            {
                RSASignaturePadding padding = Algorithm.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                return rsa.SignData(data, hash, padding);
            }

            // .NET's ECDsa.SignData returns IEEE P1363 (r||s), the JWS form (RFC 7518 §3.4).
            return ecdsa!.SignData(data, hash);
        }

        public void Dispose()
        {
            rsa?.Dispose();
            ecdsa?.Dispose();
        }

        private static ClientSigningKey FromPkcs8(byte[] der, string? algorithm)
        {
            // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING, ... }
            DerReader info = new DerReader(der).ReadSequence();
            info.ReadInteger();
            DerReader algorithmId = info.ReadSequence();
            string keyOid = algorithmId.ReadObjectIdentifier();
            byte[] privateKey = info.ReadOctetString();

            if (keyOid == RsaEncryptionOid)
            {
                return FromRsa(new DerReader(privateKey).ReadSequence(), algorithm);
            }

            if (keyOid == EcPublicKeyOid)
            {
                string? curveOid = algorithmId.HasData && algorithmId.PeekTag() == 0x06 ? algorithmId.ReadObjectIdentifier() : null;
                return FromEc(new DerReader(privateKey).ReadSequence(), curveOid, algorithm);
            }

            throw KeyError($"Unsupported key algorithm {keyOid}. Use an RSA or EC (P-256, P-384, P-521) key.");
        }

        private static ClientSigningKey FromRsa(DerReader key, string? algorithm)
        {
            // RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv }
            key.ReadInteger();
            byte[] modulus = Unsigned(key.ReadInteger());
            byte[] exponent = Unsigned(key.ReadInteger());
            int half = (modulus.Length + 1) / 2;
            var parameters = new RSAParameters
            {
                Modulus = modulus,
                Exponent = exponent,
                D = Pad(Unsigned(key.ReadInteger()), modulus.Length),
                P = Pad(Unsigned(key.ReadInteger()), half),
                Q = Pad(Unsigned(key.ReadInteger()), half),
                DP = Pad(Unsigned(key.ReadInteger()), half),
                DQ = Pad(Unsigned(key.ReadInteger()), half),
                InverseQ = Pad(Unsigned(key.ReadInteger()), half),
            };

            string alg = algorithm ?? "RS256";
            if (alg is not ("RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512"))
            {
                throw KeyError($"The signing algorithm '{alg}' does not fit an RSA key. Use RS256, RS384, RS512, PS256, PS384 or PS512.");
            }

            if (modulus.Length < 256)
            {
                throw KeyError("The RSA key is shorter than 2048 bits; authorization servers refuse such keys.");
            }

            RSA rsa = RSA.Create();
            try
            {
                rsa.ImportParameters(parameters);
            }
            catch
            {
                rsa.Dispose();
                throw;
            }

            return new ClientSigningKey(rsa, null, alg);
        }

        private static ClientSigningKey FromEc(DerReader key, string? curveOid, string? algorithm)
        {
            // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters, [1] publicKey }
            key.ReadInteger();
            byte[] d = key.ReadOctetString();
            DerReader? parameters = key.TryReadContext(0);
            if (parameters is not null)
            {
                curveOid ??= parameters.ReadObjectIdentifier();
            }

            byte[]? publicKey = key.TryReadContext(1)?.ReadBitString();

            (ECCurve curve, int size, string alg) = curveOid switch
            {
                P256Oid => (ECCurve.NamedCurves.nistP256, 32, "ES256"),
                P384Oid => (ECCurve.NamedCurves.nistP384, 48, "ES384"),
                P521Oid => (ECCurve.NamedCurves.nistP521, 66, "ES512"),
                null => throw KeyError("The EC key does not name its curve."),
                _ => throw KeyError($"Unsupported EC curve {curveOid}. Use P-256, P-384 or P-521."),
            };

            if (algorithm is not null && algorithm != alg)
            {
                throw KeyError($"The signing algorithm '{algorithm}' does not fit this EC key; it signs with {alg}.");
            }

            var ecParameters = new ECParameters { Curve = curve, D = Pad(Unsigned(d), size) };
            if (publicKey is not null)
            {
                if (publicKey.Length != 1 + (2 * size) || publicKey[0] != 0x04)
                {
                    throw KeyError("The EC key's public point is not in uncompressed form.");
                }

                ecParameters.Q = new ECPoint
                {
                    X = Slice(publicKey, 1, size),
                    Y = Slice(publicKey, 1 + size, size),
                };
            }

            return new ClientSigningKey(null, ECDsa.Create(ecParameters), alg);
        }

        private static byte[] Unsigned(byte[] integer)
        {
            int skip = 0;
            while (skip < integer.Length - 1 && integer[skip] == 0)
            {
                skip++;
            }

            return skip == 0 ? integer : Slice(integer, skip, integer.Length - skip);
        }

        private static byte[] Pad(byte[] value, int length)
        {
            if (value.Length > length)
            {
                throw new FormatException("Key component longer than expected.");
            }

            if (value.Length == length)
            {
                return value;
            }

            byte[] padded = new byte[length];
            Buffer.BlockCopy(value, 0, padded, length - value.Length, value.Length);
            return padded;
        }

        private static byte[] Slice(byte[] source, int offset, int count)
        {
            byte[] result = new byte[count];
            Buffer.BlockCopy(source, offset, result, 0, count);
            return result;
        }

        private static McpAuthException KeyError(string message) =>
            new McpAuthException(ErrorIds.InvalidClientKey, McpErrorKind.InvalidArgument, message + " (private_key_jwt client authentication)");
    }
}
