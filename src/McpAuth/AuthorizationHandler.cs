using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using McpAuth.Core;

namespace McpAuth
{
    /// <summary>Runs a user's -AuthorizationHandler script block with the authorization URL.</summary>
    internal static class AuthorizationHandler
    {
        /// <summary>
        /// Invokes the script block with the URL as $args[0] and $_; returns the last output that is a
        /// callback URL (a Uri or a string that parses as one), or null.
        /// </summary>
        public static Uri? Invoke(ScriptBlock script, Uri authorizationUrl)
        {
            Collection<PSObject> output;
            try
            {
                output = script.InvokeWithContext(null, new System.Collections.Generic.List<PSVariable> { new PSVariable("_", authorizationUrl) }, authorizationUrl);
            }
            catch (RuntimeException ex)
            {
                throw new McpAuthException(
                    ErrorIds.AuthorizationFailed,
                    McpErrorKind.AuthenticationError,
                    "The -AuthorizationHandler script block failed: " + ex.Message,
                    authorizationUrl.GetLeftPart(UriPartial.Path),
                    ex);
            }

            for (int i = output.Count - 1; i >= 0; i--)
            {
                object? value = output[i]?.BaseObject;
                if (value is Uri uri && uri.IsAbsoluteUri)
                {
                    return uri;
                }

                if (value is string s && Uri.TryCreate(s.Trim(), UriKind.Absolute, out Uri? parsed))
                {
                    return parsed;
                }
            }

            return null;
        }
    }
}
