# Counts McpAuth's round trips in real pwsh, from the fixture's request log (bench/driver.mjs runs it twice,
# each time in a new process, with a plaintext store in a temporary folder so that the second process finds
# the credential the first one stored):
#   -Phase First  first sign-in (from nothing to the first tool result), then one warm call;
#   -Phase Cold   cold start with the stored credential (a new process), then a call after the access
#                 token expired (refresh).
# Prints one reply line for the driver: the requests of each scenario as the fixture saw them.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [ValidateSet('First', 'Cold')] [string] $Phase,
    [Parameter(Mandatory)] [string] $Url,
    [Parameter(Mandatory)] [string] $Admin
)
. (Join-Path $PSScriptRoot Common.ps1) -ModulePath $ModulePath
$WarningPreference = 'SilentlyContinue'   # the plaintext store warns on every use, by design

$adminHttp = [System.Net.Http.HttpClient]::new()
function Clear-RequestLog { $null = $adminHttp.PostAsync("$Admin/requests/clear", $null).GetAwaiter().GetResult() }
function Get-RequestLog {
    $json = $adminHttp.GetStringAsync("$Admin/requests").GetAwaiter().GetResult() | ConvertFrom-Json
    @($json.requests | ForEach-Object {
            @{ port = $_.port; method = $_.method; path = $_.path; rpcMethod = $_.rpcMethod; status = $_.status; internal = $_.internal; bearer = ($_.authorization -eq 'Bearer') }
        })
}
function Measure-Scenario([scriptblock] $Action, [string] $Expect) {
    Clear-RequestLog
    $result = & $Action
    if ($result -cne $Expect) { throw "wrong tool result '$result' (expected '$Expect')" }
    Get-RequestLog
}

$scenarios = [ordered]@{}
try {
    if ($Phase -eq 'First') {
        $scenarios.firstSignIn = @(Measure-Scenario {
            $connection = Connect-McpServer -Uri $Url -AuthorizationHandler $BenchSignIn
            $connection | Invoke-McpTool echo @{ message = 'first' }
        } 'first')
        $scenarios.warm = @(Measure-Scenario { Invoke-McpTool -Uri $Url echo @{ message = 'warm' } } 'warm')
    }
    else {
        $scenarios.coldStart = @(Measure-Scenario { Invoke-McpTool -Uri $Url echo @{ message = 'cold' } } 'cold')
        $expires = (Get-McpServer | Where-Object { "$($_.ServerUri)" -eq $Url } | Select-Object -First 1).ExpiresOn
        if ($null -eq $expires) { throw 'The connection does not say when its token expires.' }
        $wait = ([DateTimeOffset] $expires - [DateTimeOffset]::UtcNow).TotalMilliseconds + 500
        if ($wait -gt 0) { Start-Sleep -Milliseconds ([int] $wait) }
        $scenarios.refresh = @(Measure-Scenario { Invoke-McpTool -Uri $Url echo @{ message = 'refresh' } } 'refresh')
    }
    Write-BenchReply @{ ok = $true; scenarios = $scenarios }
}
catch {
    Write-BenchReply @{ ok = $false; error = "$($_.FullyQualifiedErrorId): $_" }
}
