# What PowerShell itself costs per command, whatever the command does: a loop that calls Write-Output (a binary
# cmdlet that does nothing but pass its input on) against the same loop calling a .NET method, one at a time and
# in N runspaces at once, in passes of -Count calls. Every Invoke-McpTool call pays at least the first figure;
# the C# SDK pays none of it. On demand, not part of run.sh:
#   .ci/pwsh -NoProfile -File bench/pwsh/CommandCost.ps1 [-Count 20000] [-Passes 6] [-Lanes 20]
param(
    [int] $Count = 20000,
    [int] $Passes = 6,
    [int] $Lanes = 20
)
$ErrorActionPreference = 'Stop'

$lane = {
    param($Queue, [string] $Kind)
    $i = 0
    $wrong = 0
    if ($Kind -eq 'cmdlet') {
        while ($Queue.TryDequeue([ref] $i)) { $m = "x-$i"; $r = Write-Output -InputObject $m -NoEnumerate; if ($r -cne $m) { $wrong++ } }
    }
    else {
        while ($Queue.TryDequeue([ref] $i)) { $m = "x-$i"; $r = [string]::Concat($m, ''); if ($r -cne $m) { $wrong++ } }
    }
    $wrong
}

$pool = [runspacefactory]::CreateRunspacePool(1, $Lanes, [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2(), $Host)
$pool.Open()
$tick = 1e6 / [Diagnostics.Stopwatch]::Frequency
foreach ($pass in 1..$Passes) {
    foreach ($mode in 'seq', 'par') {
        foreach ($kind in 'cmdlet', 'method') {
            $queue = [System.Collections.Concurrent.ConcurrentQueue[int]]::new([int[]](0..($Count - 1)))
            $bytes0 = [GC]::GetTotalAllocatedBytes($false)
            $cpu0 = [Environment]::CpuUsage.TotalTime
            $t0 = [Diagnostics.Stopwatch]::GetTimestamp()
            if ($mode -eq 'seq') {
                $wrong = & $lane $queue $kind
            }
            else {
                $running = foreach ($n in 1..$Lanes) {
                    $ps = [powershell]::Create()
                    $ps.RunspacePool = $pool
                    $null = $ps.AddScript($lane.ToString()).AddArgument($queue).AddArgument($kind)
                    @{ PS = $ps; Handle = $ps.BeginInvoke() }
                }
                $wrong = foreach ($r in $running) { $r.PS.EndInvoke($r.Handle); $r.PS.Dispose() }
            }
            $wall = ([Diagnostics.Stopwatch]::GetTimestamp() - $t0) * $tick / $Count
            $cpu = ([Environment]::CpuUsage.TotalTime - $cpu0).TotalMilliseconds * 1000 / $Count
            if (($wrong | Measure-Object -Sum).Sum -ne 0) { throw "a $kind lane got a wrong answer" }
            '{0} {1} {2,-6} wall {3,6:N1} µs a call, CPU {4,6:N1} µs, {5,7:N0} bytes allocated' -f $pass, $mode, $kind, $wall, $cpu, (([GC]::GetTotalAllocatedBytes($false) - $bytes0) / $Count)
        }
    }
}
$pool.Dispose()
