# Shared by the pwsh benchmark scripts: load the built module and play the browser for a headless sign-in.
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

# -AuthorizationHandler for the fixture: the Pester suites' $AutoConsent plays the browser against the fixture's
# auto-consent (follows its redirects, with cookies, to McpAuth's loopback callback and returns that URL).
. (Join-Path $PSScriptRoot '../../tests/TestHelpers.ps1')
$script:BenchSignIn = $script:AutoConsent

# Replies to the driver start with a marker, so that anything a host writes to stdout (warnings, progress)
# cannot be mistaken for one.
function Write-BenchReply([hashtable] $Reply) {
    [Console]::Out.WriteLine('@@ ' + ($Reply | ConvertTo-Json -Compress -Depth 6))
    [Console]::Out.Flush()
}
