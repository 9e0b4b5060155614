# Shared by the pwsh benchmark scripts: load the built module and play the browser for a headless sign-in.
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

# -AuthorizationHandler for the fixture: the fixture's authorization server consents by itself, so following
# its redirects (with cookies) until it sends us to McpAuth's loopback callback completes the sign-in. The
# handler returns the callback URL; McpAuth takes it from there.
$script:BenchSignIn = {
    param([uri] $AuthorizationUrl)
    $handler = [System.Net.Http.HttpClientHandler]::new()
    $handler.CookieContainer = [System.Net.CookieContainer]::new()
    $handler.AllowAutoRedirect = $false
    $browser = [System.Net.Http.HttpClient]::new($handler)
    try {
        $next = $AuthorizationUrl
        for ($hop = 0; $hop -lt 30; $hop++) {
            $location = $browser.GetAsync($next).GetAwaiter().GetResult().Headers.Location
            if ($null -eq $location) { throw "The sign-in page did not redirect ($next)." }
            if (-not $location.IsAbsoluteUri) { $location = [uri]::new($next, $location) }
            if ($location.Host -eq '127.0.0.1' -and $location.AbsolutePath -eq '/callback') { return $location }
            $next = $location
        }
        throw 'Too many redirects during sign-in.'
    }
    finally { $browser.Dispose() }
}

# Replies to the driver start with a marker, so that anything a host writes to stdout (warnings, progress)
# cannot be mistaken for one.
function Write-BenchReply([hashtable] $Reply) {
    [Console]::Out.WriteLine('@@ ' + ($Reply | ConvertTo-Json -Compress -Depth 6))
    [Console]::Out.Flush()
}
