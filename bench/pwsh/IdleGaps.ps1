# Calls a tool with idle gaps around a server's keep-alive (Node's default is 5 s) and counts failed calls (issue
# #12: a request written to a pooled connection the server is closing). On demand, not part of run.sh:
#   (sleep 100000 | node tests/fixture/server.mjs) &   # note its "publicJson" URL from the ready line
#   dotnet pwsh -NoProfile -File bench/pwsh/IdleGaps.ps1 -ModulePath bench/out/McpAuth/McpAuth.psd1 -Url <publicJson> -Count 2000
# 2,000 calls with 5 s +- 0.4 s gaps take about 2 h 50 min. Node announces its keep-alive (Keep-Alive: timeout=5)
# and McpAuth keeps a connection a second less; the engine test (DirectHttpHandlerTests)
# A_connection_is_kept_as_long_as_its_server_announces_less_a_second_and_three_seconds_when_it_announces_nothing
# checks the mechanism in seconds.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Url,
    [int] $Count = 2000,
    [double] $GapSeconds = 5.0,
    [double] $JitterSeconds = 0.4
)
Import-Module $ModulePath
$failed = 0
for ($i = 0; $i -lt $Count; $i++) {
    try {
        $answer = Invoke-McpTool -Uri $Url echo @{ message = "m$i" } -ErrorAction Stop
        if ($answer -cne "m$i") { $failed++; Write-Warning "call $i answered '$answer'" }
    }
    catch {
        $failed++
        Write-Warning "call $i failed: $($_.FullyQualifiedErrorId): $_"
    }
    $gap = $GapSeconds + (Get-Random -Minimum (-$JitterSeconds) -Maximum $JitterSeconds)
    Start-Sleep -Milliseconds ([int]($gap * 1000))
}
"$failed of $Count calls failed"
