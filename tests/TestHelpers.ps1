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
        Idp        = $ready.idp
        IdpClient  = $ready.idpClient
        Dpop       = $ready.dpop
        Quirks     = $ready.quirks
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

# ---- real pwsh child processes ---------------------------------------------------------------------------

# The command line that starts this same PowerShell: pwsh(.exe), powershell.exe, or `dotnet pwsh.dll` for the
# .NET tool (then the process is dotnet and the first argument is pwsh.dll).
function Get-PwshCommandLine {
    $exe = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        return @($exe, [Environment]::GetCommandLineArgs()[0])
    }
    return @($exe)
}

# The environment of a child: this process's, without the test session's overrides unless given again.
# A $null value removes a variable.
function New-ChildStartInfo {
    param([string] $FileName, [string[]] $Arguments, [hashtable] $Environment = @{})
    $start = [System.Diagnostics.ProcessStartInfo]::new($FileName)
    foreach ($a in $Arguments) { $start.ArgumentList.Add($a) }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    foreach ($name in 'MCPAUTH_NONINTERACTIVE', 'MCPAUTH_NO_BROWSER', 'MCPAUTH_CREDENTIAL_STORE', 'MCPAUTH_ALLOW_PLAINTEXT_STORAGE', 'MCPAUTH_STORE_DIR', 'PSModulePath') {
        $start.Environment.Remove($name) | Out-Null
    }
    $start.Environment['NO_COLOR'] = '1'
    $start.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
    foreach ($key in $Environment.Keys) {
        if ($null -eq $Environment[$key]) { $start.Environment.Remove($key) | Out-Null }
        else { $start.Environment[$key] = [string] $Environment[$key] }
    }
    $start
}

# Runs a script in a new real pwsh process with the built module imported. -NonInteractive as schedulers
# and CI start pwsh. Returns ExitCode, Output (stdout) and Error (stderr).
function Invoke-Pwsh {
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{},
        [switch] $NonInteractive,
        [int] $TimeoutSec = 120
    )
    $file = Join-Path ([IO.Path]::GetTempPath()) ("mcpauth-test-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
    Set-Content -LiteralPath $file -Value ("Import-Module '{0}'`n{1}" -f $script:ModuleManifest.Replace("'", "''"), $Script)
    try {
        $command = @(Get-PwshCommandLine)
        $arguments = @($command | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile') + @(if ($NonInteractive) { '-NonInteractive' }) + @('-File', $file)
        $start = New-ChildStartInfo -FileName $command[0] -Arguments $arguments -Environment $Environment
        $process = [System.Diagnostics.Process]::Start($start)
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSec * 1000)) {
            $process.Kill($true)
            throw "pwsh did not finish within $TimeoutSec s: $Script"
        }
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; Error = $stderr.Result }
    }
    finally {
        Remove-Item -LiteralPath $file -ErrorAction Ignore
    }
}

# Starts a script in a new real pwsh inside a pseudo-terminal (util-linux `script`), as a person at a console
# would run it: the console host reads keys from the terminal. Write to .StandardInput to type; read lines
# from .StandardOutput. Linux only.
function Start-PwshInTerminal {
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $file = Join-Path ([IO.Path]::GetTempPath()) ("mcpauth-tty-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
    Set-Content -LiteralPath $file -Value ("Import-Module '{0}'`n{1}" -f $script:ModuleManifest.Replace("'", "''"), $Script)
    $pwsh = (@(Get-PwshCommandLine) | ForEach-Object { "'$_'" }) -join ' '
    $Environment['TERM'] = 'dumb'
    $start = New-ChildStartInfo -FileName 'script' -Arguments @('-q', '-f', '-e', '-c', "$pwsh -NoLogo -NoProfile -File '$file'", '/dev/null') -Environment $Environment
    [System.Diagnostics.Process]::Start($start)
}

# Reads terminal lines until one matches; returns it (and everything read so far in $script:TerminalText).
function Wait-TerminalLine {
    param([Parameter(Mandatory)] $Process, [Parameter(Mandatory)] [string] $Pattern, [int] $TimeoutSec = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        $read = $Process.StandardOutput.ReadLineAsync()
        if (-not $read.Wait([TimeSpan]::FromSeconds([Math]::Max(1, ($deadline - [DateTime]::UtcNow).TotalSeconds)))) { break }
        $line = $read.Result
        if ($null -eq $line) { break }
        $script:TerminalText += $line + "`n"
        if ($line -match $Pattern) { return $line }
    }
    throw "No terminal line matched '$Pattern' within $TimeoutSec s. The terminal showed:`n$script:TerminalText"
}
