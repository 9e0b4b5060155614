# The main job: sign in to an OAuth-protected MCP server headlessly and call a tool, as a script would.
# .ci/demo runs it against the bundled fixture (a real OpenID provider + MCP SDK server on 127.0.0.1);
# with pwsh: ./tests/demo/Demo.ps1 <oauth-mcp-url> <public-mcp-url>
param(
    [Parameter(Mandatory)] [Uri] $OAuthServer,
    [Parameter(Mandatory)] [Uri] $PublicServer
)
$ErrorActionPreference = 'Stop'

# Automation has no browser: -AuthorizationHandler receives the authorization URL and completes the consent.
# Here it plays the browser against the fixture, which consents automatically: it follows the redirects
# (keeping cookies) until the authorization server sends it to McpAuth's loopback callback, and returns
# that URL. A real deployment would drive its own identity provider's consent, or use -UseDeviceCode or
# -ClientCredentials instead.
$signIn = {
    param([uri] $AuthorizationUrl)
    $handler = [System.Net.Http.HttpClientHandler]::new()
    $handler.CookieContainer = [System.Net.CookieContainer]::new()
    $handler.AllowAutoRedirect = $false
    $browser = [System.Net.Http.HttpClient]::new($handler)
    $next = $AuthorizationUrl
    for ($i = 0; $i -lt 30; $i++) {
        $location = $browser.GetAsync($next).GetAwaiter().GetResult().Headers.Location
        if ($null -eq $location) { throw "The sign-in page did not redirect ($next)." }
        if (-not $location.IsAbsoluteUri) { $location = [uri]::new($next, $location) }
        if ($location.Host -eq '127.0.0.1' -and $location.AbsolutePath -eq '/callback') { return $location }
        $next = $location
    }
    throw 'Too many redirects during sign-in.'
}

"== Sign in to $OAuthServer (discovery, dynamic client registration, PKCE, consent)"
$connection = Connect-McpServer $OAuthServer -AuthorizationHandler $signIn
"signed in at $($connection.Issuer) as client $($connection.ClientId)"
"scopes: $($connection.Scopes -join ' '); token expires $($connection.ExpiresOn); refresh token: $($connection.HasRefreshToken)"

"== Call tools in the same session"
$connection | Invoke-McpTool echo @{ message = 'hello from McpAuth' }
"whoami: " + ($connection | Invoke-McpTool whoami)
"2 + 40 = " + ($connection | Invoke-McpTool add @{ a = 2; b = 40 }).sum

"== A server without sign-in: $PublicServer"
Connect-McpServer $PublicServer | Invoke-McpTool echo @{ message = 'no sign-in needed' }
