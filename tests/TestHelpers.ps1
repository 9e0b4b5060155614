# Shared helpers for the Pester suites: build check, module import, and the real fixture
# (tests/fixture/server.mjs: an OpenID provider + MCP SDK servers on 127.0.0.1).
$script:RepoRoot = Split-Path -Parent $PSScriptRoot
$script:ModuleManifest = Join-Path $script:RepoRoot 'out/McpAuth/McpAuth.psd1'

function Import-McpAuthForTest {
    if (-not (Test-Path $script:ModuleManifest)) {
        throw "Build the module first: ./build.ps1 (missing $script:ModuleManifest)"
    }
    Import-Module $script:ModuleManifest -Force
}

function Start-McpFixture {
    [CmdletBinding()]
    param([string[]] $ArgumentList = @())
    $dir = Join-Path $script:RepoRoot 'tests/fixture'
    if (-not (Test-Path (Join-Path $dir 'node_modules'))) {
        throw "Install the fixture's packages first: (cd $dir; npm ci)"
    }
    $start = [System.Diagnostics.ProcessStartInfo]::new('node')
    $start.WorkingDirectory = $dir
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $start.ArgumentList.Add('server.mjs')
    foreach ($a in $ArgumentList) { $start.ArgumentList.Add($a) }
    $process = [System.Diagnostics.Process]::Start($start)
    $line = $process.StandardOutput.ReadLine()
    if (-not $line) { throw "The fixture did not start: $($process.StandardError.ReadToEnd())" }
    $ready = $line | ConvertFrom-Json
    [pscustomobject]@{
        Process    = $process
        Mcp        = $ready.mcp
        Public     = $ready.public
        PublicJson = $ready.publicJson
        Issuer     = $ready.as
        Admin      = $ready.admin
        Bad        = $ready.bad
        Neg        = $ready.neg
    }
}

function Stop-McpFixture {
    param($Fixture)
    if ($Fixture -and -not $Fixture.Process.HasExited) {
        $Fixture.Process.StandardInput.Close()
        if (-not $Fixture.Process.WaitForExit(3000)) { $Fixture.Process.Kill() }
    }
}

function Get-FixtureRequests {
    param($Fixture)
    (Invoke-RestMethod -Uri "$($Fixture.Admin)/requests").requests
}

# An -AuthorizationHandler that plays the browser against the fixture's auto-consent: follows the redirects
# (keeping cookies) to McpAuth's loopback callback and returns that URL. $script:LastCallback keeps it.
$script:AutoConsent = {
    param([uri] $Url)
    $handler = [System.Net.Http.HttpClientHandler]::new()
    $handler.CookieContainer = [System.Net.CookieContainer]::new()
    $handler.AllowAutoRedirect = $false
    $client = [System.Net.Http.HttpClient]::new($handler)
    $next = $Url
    for ($i = 0; $i -lt 30; $i++) {
        $location = $client.GetAsync($next).GetAwaiter().GetResult().Headers.Location
        if ($null -eq $location) { throw "no redirect from $next" }
        if (-not $location.IsAbsoluteUri) { $location = [uri]::new($next, $location) }
        if ($location.Host -eq '127.0.0.1' -and $location.AbsolutePath -eq '/callback') {
            $script:LastCallback = $location
            return $location
        }
        $next = $location
    }
    throw 'too many redirects'
}

function Get-FixtureEvents {
    param($Fixture, [string] $Type)
    (Invoke-RestMethod -Uri "$($Fixture.Admin)/log").events | Where-Object { -not $Type -or $_.type -eq $Type }
}

# Tests never open a browser or wait for a person, and never touch the user's real keychain.
function Initialize-McpAuthTestSession {
    $env:MCPAUTH_NONINTERACTIVE = '1'
    $env:MCPAUTH_NO_BROWSER = '1'
    $env:MCPAUTH_CREDENTIAL_STORE = 'memory'
    Reset-McpCredentialStore -CredentialStore Memory -Force
}
