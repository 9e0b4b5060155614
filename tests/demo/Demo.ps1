# The main job: sign in to an OAuth-protected MCP server headlessly and call tools, as a script would, and
# show what a user sees (the module's formatted objects). .ci/demo runs it in real pwsh against the bundled
# fixture (a real OpenID provider + MCP SDK servers on 127.0.0.1):
#   pwsh ./tests/demo/Demo.ps1 <oauth-mcp-url> <public-mcp-url> [<modern-oauth-mcp-url>]
# The first two are servers of the earlier protocol revisions (SDK 1.x); the third, when given, speaks the
# current revision (2026-07-28, stateless, SDK 2.x): the same commands work against both.
param(
    [Parameter(Mandatory)] [Uri] $OAuthServer,
    [Parameter(Mandatory)] [Uri] $PublicServer,
    [Uri] $ModernServer
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module McpAuth)) {
    Import-Module (Join-Path $PSScriptRoot '../../out/McpAuth/McpAuth.psd1')
}

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

function Show([string] $Command, [scriptblock] $Run) {
    Write-Host ''
    Write-Host "PS> $Command"
    if ([Console]::IsOutputRedirected) {
        # A log, not a terminal: as wide as a usual terminal rather than 80 columns.
        & $Run | Out-String -Width 160 | Write-Host -NoNewline
    }
    else {
        & $Run | Out-Host
    }
}

Write-Host "McpAuth $((Get-Module McpAuth).Version) in PowerShell $($PSVersionTable.PSVersion) ($($PSVersionTable.OS))"

Show "Test-McpServer $OAuthServer    # before sign-in: no stored credential" { Test-McpServer $OAuthServer }
Show "Connect-McpServer $OAuthServer -AuthorizationHandler `$signIn" { $script:connection = Connect-McpServer $OAuthServer -AuthorizationHandler $signIn; $script:connection }
Show 'Get-McpTool -Uri $uri -Name echo, add, whoami' { Get-McpTool -Uri $OAuthServer -Name echo, add, whoami }
Show "`$connection | Invoke-McpTool echo @{ message = 'hello from McpAuth' }" { $connection | Invoke-McpTool echo @{ message = 'hello from McpAuth' } }
Show '$connection | Invoke-McpTool add @{ a = 2; b = 40 }' { $connection | Invoke-McpTool add @{ a = 2; b = 40 } }
Show '$connection | Invoke-McpTool whoami | ConvertFrom-Json' { $connection | Invoke-McpTool whoami | ConvertFrom-Json }
Show "Get-McpToken $OAuthServer" { Get-McpToken $OAuthServer }
Show 'Get-McpCredential' { Get-McpCredential }
Show "Test-McpServer $OAuthServer, $PublicServer -Tool echo -Arguments @{ message = 'ping' }" {
    Test-McpServer $OAuthServer, $PublicServer -Tool echo -Arguments @{ message = 'ping' }
}
Show "(Test-McpServer $OAuthServer).DiscoverySteps" { (Test-McpServer $OAuthServer).DiscoverySteps }
Show "Connect-McpServer $PublicServer | Invoke-McpTool echo @{ message = 'no sign-in needed' }" {
    Connect-McpServer $PublicServer | Invoke-McpTool echo @{ message = 'no sign-in needed' }
}
if ($ModernServer) {
    Show "Connect-McpServer $ModernServer -AuthorizationHandler `$signIn | Invoke-McpTool echo @{ message = 'hello, 2026-07-28' }" {
        Connect-McpServer $ModernServer -AuthorizationHandler $signIn | Invoke-McpTool echo @{ message = 'hello, 2026-07-28' }
    }
    Show "Test-McpServer $ModernServer | Select-Object Server, Era, ProtocolVersion, Issuer, Credential" {
        Test-McpServer $ModernServer | Select-Object Server, Era, ProtocolVersion, Issuer, Credential
    }
}
Show 'Get-McpServer' { Get-McpServer }
