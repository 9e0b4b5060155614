using System;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// An RFC 8628 device authorization response: the code the user enters at the verification URI, and
    /// the device code this client polls the token endpoint with.
    /// </summary>
    public sealed class DeviceAuthorization
    {
        public DeviceAuthorization(Secret deviceCode, string userCode, Uri verificationUri, Uri? verificationUriComplete, DateTimeOffset expiresAt, TimeSpan interval)
        {
            DeviceCode = deviceCode ?? throw new ArgumentNullException(nameof(deviceCode));
            UserCode = userCode ?? throw new ArgumentNullException(nameof(userCode));
            VerificationUri = verificationUri ?? throw new ArgumentNullException(nameof(verificationUri));
            VerificationUriComplete = verificationUriComplete;
            ExpiresAt = expiresAt;
            Interval = interval;
        }

        /// <summary>Gets the device code; never shown.</summary>
        public Secret DeviceCode { get; }

        /// <summary>Gets the code the user types at <see cref="VerificationUri"/>; meant to be shown.</summary>
        public string UserCode { get; }

        /// <summary>Gets the page where the user enters the code.</summary>
        public Uri VerificationUri { get; }

        /// <summary>Gets a URI that already carries the user code, when the server offers one.</summary>
        public Uri? VerificationUriComplete { get; }

        /// <summary>Gets when the device code expires.</summary>
        public DateTimeOffset ExpiresAt { get; }

        /// <summary>Gets how long to wait between polls (server's <c>interval</c>, default 5 s).</summary>
        public TimeSpan Interval { get; }

        /// <summary>Returns the instruction to show the user.</summary>
        public string Instruction => $"To sign in, open {VerificationUri} and enter the code {UserCode}.";

        public override string ToString() => Instruction;
    }
}
