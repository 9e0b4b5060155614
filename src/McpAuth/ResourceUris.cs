using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth
{
    /// <summary>The resource URI a command reads or watches: as given, or a URI template expanded with -Arguments (RFC 6570).</summary>
    internal static class ResourceUris
    {
        public static string Resolve(string uriOrTemplate, object? arguments)
        {
            if (arguments is null)
            {
                if (UriTemplate.VariableNames(uriOrTemplate).Count > 0)
                {
                    throw new McpAuthException(
                        ErrorIds.InvalidResourceUri,
                        McpErrorKind.InvalidArgument,
                        $"'{uriOrTemplate}' is a URI template: give a value for each of its variables ({string.Join(", ", UriTemplate.VariableNames(uriOrTemplate))}) with -Arguments.",
                        uriOrTemplate);
                }

                return uriOrTemplate;
            }

            if (JsonConversion.ToData(arguments) is not JsonMap values)
            {
                throw new McpAuthException(ErrorIds.InvalidResourceUri, McpErrorKind.InvalidArgument, "-Arguments must be a hashtable of the template's variables, for example @{ name = 'today' }.", uriOrTemplate);
            }

            return UriTemplate.Expand(uriOrTemplate, values);
        }
    }
}
