# Benchmark worker in real pwsh, driven by bench/driver.mjs over stdin/stdout (one JSON object a line; the
# protocol is in bench/README.md). Two clients live in this one process:
#   mcpauth  Invoke-McpTool, the module imported once (and once per runspace of the parallel pool);
#   raw      a bare HttpClient doing the same JSON-RPC POSTs: the reference a script would write by hand in this process.
param(
    [Parameter(Mandatory)] [string] $ModulePath
)
. (Join-Path $PSScriptRoot Common.ps1) -ModulePath $ModulePath
$env:MCPAUTH_CREDENTIAL_STORE = 'memory'   # warm calls only; nothing touches the keychain

$targets = @{}      # name -> @{ Url; Raw = @{ Http; SessionId; ProtocolVersion; Token; Modern; Meta } }
$laneSets = @{}     # "client/lanes" -> the parallel lanes of that client, started on first use and kept (see Start-LaneSet)
$tickMs = 1000.0 / [Diagnostics.Stopwatch]::Frequency

# One lane of calls: takes call indices from a shared queue until it is empty. The same script runs
# sequentially in this runspace and as 20 lanes in the pool, so both modes measure the same code.
$mcpAuthLane = {
    param([string] $Url, [string] $Prefix, $Queue, [double[]] $Lat, $Errors, [double] $TickMs)
    $i = 0
    while ($Queue.TryDequeue([ref] $i)) {
        $message = "$Prefix-$i"
        $t0 = [Diagnostics.Stopwatch]::GetTimestamp()
        try {
            $result = Invoke-McpTool -Uri $Url -Name echo -Arguments @{ message = $message } -ErrorAction Stop
        }
        catch {
            $Errors.Add("call ${i}: $($_.FullyQualifiedErrorId): $_")
            continue
        }
        $Lat[$i] = ([Diagnostics.Stopwatch]::GetTimestamp() - $t0) * $TickMs
        if ($result -cne $message) { $Errors.Add("call ${i}: wrong echo result '$result'") }
    }
}

$rawLane = {
    param([string] $Url, [string] $Prefix, $Queue, [double[]] $Lat, $Errors, [double] $TickMs, $Raw)
    $http = $Raw.Http
    $i = 0
    while ($Queue.TryDequeue([ref] $i)) {
        $message = "$Prefix-$i"
        $id = 1000000 + $i
        $t0 = [Diagnostics.Stopwatch]::GetTimestamp()
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Post, $Url)
        $request.Content = [System.Net.Http.StringContent]::new(
            '{"jsonrpc":"2.0","id":' + $id + ',"method":"tools/call","params":{"name":"echo","arguments":{"message":"' + $message + '"}' + $Raw.Meta + '}}',
            [Text.Encoding]::UTF8, 'application/json')
        $null = $request.Headers.TryAddWithoutValidation('Accept', 'application/json, text/event-stream')
        $null = $request.Headers.TryAddWithoutValidation('MCP-Protocol-Version', $Raw.ProtocolVersion)
        if ($Raw.SessionId) { $null = $request.Headers.TryAddWithoutValidation('Mcp-Session-Id', $Raw.SessionId) }
        if ($Raw.Modern) {
            $null = $request.Headers.TryAddWithoutValidation('Mcp-Method', 'tools/call')
            $null = $request.Headers.TryAddWithoutValidation('Mcp-Name', 'echo')
        }
        if ($Raw.Token) { $null = $request.Headers.TryAddWithoutValidation('Authorization', 'Bearer ' + $Raw.Token) }
        try {
            $response = $http.SendAsync($request).GetAwaiter().GetResult()
            $body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
            $status = [int] $response.StatusCode
            $response.Dispose()
        }
        catch {
            $Errors.Add("call ${i}: $($_.Exception.GetBaseException().Message)")
            continue
        }
        finally { $request.Dispose() }
        $Lat[$i] = ([Diagnostics.Stopwatch]::GetTimestamp() - $t0) * $TickMs
        if ($status -ne 200 -or -not $body.Contains('"text":"' + $message + '"') -or -not $body.Contains('"id":' + $id)) {
            $Errors.Add("call ${i}: wrong answer ($status)")
        }
    }
}

# Parallel lanes stay up from one round to the next, as in a script that keeps a RunspacePool busy: each lane is a
# pipeline in a runspace of the client's own pool, running $laneHost, which takes a round from $Work, runs the lane
# script above over the round's shared queue and signals the round done. Started anew each round, 20 pipelines made
# PowerShell compile the lane's loop again in each one (about 200 methods JIT-compiled per round, a quarter of the
# process's CPU in a 300-call round, for McpAuth and the raw loop alike), which is PowerShell starting pipelines,
# not calls; the C# and TS lanes are tasks and promises that cost nothing to start.
$laneHost = {
    param($Work, [string] $LaneText)
    $lane = [scriptblock]::Create($LaneText)
    while ($null -ne ($round = $Work.Take()).Arguments) {
        try { $arguments = $round.Arguments; & $lane @arguments }
        catch { $round.Errors.Add("lane: $_") }
        finally { $round.Done.Signal() }
    }
}

function Start-LaneSet([string] $Client, [int] $Lanes) {
    $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
    $iss.ImportPSModule($ModulePath)
    $pool = [runspacefactory]::CreateRunspacePool(1, $Lanes, $iss, $Host)
    $pool.Open()
    $work = [System.Collections.Concurrent.BlockingCollection[object]]::new()
    $laneText = if ($Client -eq 'raw') { $rawLane.ToString() } else { $mcpAuthLane.ToString() }
    $running = foreach ($n in 1..$Lanes) {
        $ps = [powershell]::Create()
        $ps.RunspacePool = $pool
        $null = $ps.AddScript($laneHost.ToString()).AddArgument($work).AddArgument($laneText)
        @{ PS = $ps; Handle = $ps.BeginInvoke() }
    }
    @{ Pool = $pool; Work = $work; Lanes = $Lanes; Running = @($running) }
}

function Stop-LaneSet($Set) {
    foreach ($n in 1..$Set.Lanes) { $Set.Work.Add(@{ Arguments = $null }) }
    foreach ($r in $Set.Running) {
        try { $null = $r.PS.EndInvoke($r.Handle) } catch { }
        $r.PS.Dispose()
    }
    $Set.Pool.Dispose()
}

# The raw client's own handshake: initialize, then notifications/initialized, on its own session. A modern
# (2026-07-28) server has no handshake and no session: every request names the revision in its header and in its
# _meta, and a tools/call its method and tool in Mcp-Method and Mcp-Name; server/discover checks that it answers.
function Connect-Raw([string] $Url, [string] $Token, [bool] $Modern) {
    $http = [System.Net.Http.HttpClient]::new()
    $raw = @{ Http = $http; SessionId = $null; ProtocolVersion = '2025-11-25'; Token = $Token; Modern = $Modern; Meta = '' }
    if ($Modern) {
        $raw.ProtocolVersion = '2026-07-28'
        $raw.Meta = ',"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"raw-bench","version":"1.0.0"},"io.modelcontextprotocol/clientCapabilities":{}}'
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Post, $Url)
        $request.Content = [System.Net.Http.StringContent]::new('{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{' + $raw.Meta.Substring(1) + '}}', [Text.Encoding]::UTF8, 'application/json')
        $null = $request.Headers.TryAddWithoutValidation('Accept', 'application/json, text/event-stream')
        $null = $request.Headers.TryAddWithoutValidation('MCP-Protocol-Version', $raw.ProtocolVersion)
        $null = $request.Headers.TryAddWithoutValidation('Mcp-Method', 'server/discover')
        if ($Token) { $null = $request.Headers.TryAddWithoutValidation('Authorization', 'Bearer ' + $Token) }
        $response = $http.SendAsync($request).GetAwaiter().GetResult()
        $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
        if (-not $response.IsSuccessStatusCode -or -not $text.Contains('"2026-07-28"')) { throw "raw server/discover at $Url answered $([int]$response.StatusCode)" }
        $response.Dispose()
        $request.Dispose()
        return $raw
    }
    foreach ($body in @(
            '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw-bench","version":"1.0.0"}}}',
            '{"jsonrpc":"2.0","method":"notifications/initialized"}')) {
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Post, $Url)
        $request.Content = [System.Net.Http.StringContent]::new($body, [Text.Encoding]::UTF8, 'application/json')
        $null = $request.Headers.TryAddWithoutValidation('Accept', 'application/json, text/event-stream')
        if ($raw.SessionId) {
            $null = $request.Headers.TryAddWithoutValidation('Mcp-Session-Id', $raw.SessionId)
            $null = $request.Headers.TryAddWithoutValidation('MCP-Protocol-Version', $raw.ProtocolVersion)
        }
        if ($Token) { $null = $request.Headers.TryAddWithoutValidation('Authorization', 'Bearer ' + $Token) }
        $response = $http.SendAsync($request).GetAwaiter().GetResult()
        $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
        if (-not $response.IsSuccessStatusCode) { throw "raw handshake with $Url answered $([int]$response.StatusCode)" }
        if (-not $raw.SessionId) {
            $raw.SessionId = ($response.Headers.GetValues('Mcp-Session-Id') | Select-Object -First 1)
            if ($text -match '"protocolVersion":"([^"]+)"') { $raw.ProtocolVersion = $Matches[1] }
        }
        $response.Dispose()
    }
    $raw
}

function Invoke-Run($Msg) {
    $target = $targets[$Msg.target]
    if (-not $target) { throw "not connected to $($Msg.target)" }
    $count = [int] $Msg.count
    $lanes = if ($Msg.mode -eq 'par') { [Math]::Max(1, [int] $Msg.concurrency) } else { 1 }
    $queue = [System.Collections.Concurrent.ConcurrentQueue[int]]::new([int[]](0..($count - 1)))
    $lat = [double[]]::new($count)
    $errors = [System.Collections.Concurrent.ConcurrentBag[string]]::new()
    $lane = if ($Msg.client -eq 'raw') { $rawLane } else { $mcpAuthLane }
    $arguments = @($target.Url, [string] $Msg.prefix, $queue, $lat, $errors, $tickMs)
    if ($Msg.client -eq 'raw') { $arguments += , $target.Raw }

    if ($lanes -gt 1) {
        $key = "$($Msg.client)/$lanes"
        if (-not $laneSets.ContainsKey($key)) { $laneSets[$key] = Start-LaneSet $Msg.client $lanes }
        $set = $laneSets[$key]
    }

    $cpu0 = [Environment]::CpuUsage.TotalTime
    $jit0 = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
    $t0 = [Diagnostics.Stopwatch]::GetTimestamp()
    if ($lanes -eq 1) {
        & $lane @arguments
    }
    else {
        $round = @{ Arguments = $arguments; Errors = $errors; Done = [System.Threading.CountdownEvent]::new($lanes) }
        foreach ($n in 1..$lanes) { $set.Work.Add($round) }
        while (-not $round.Done.Wait(1000)) {
            if ($set.Running.Where({ $_.Handle.IsCompleted }).Count) { throw "a $($Msg.client) lane ended before its round did" }
        }
        # ReadAll, not foreach: enumerating a running pipeline's stream waits for the pipeline to end.
        foreach ($r in $set.Running) { foreach ($e in $r.PS.Streams.Error.ReadAll()) { $errors.Add("lane: $e") } }
    }
    $ms = ([Diagnostics.Stopwatch]::GetTimestamp() - $t0) * $tickMs
    $cpuMs = ([Environment]::CpuUsage.TotalTime - $cpu0).TotalMilliseconds
    $jitted = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $jit0
    if ($errors.Count -gt 0) {
        return @{ ok = $false; error = "$($errors.Count) of $count calls failed; first: $(@($errors)[0])" }
    }
    @{ ok = $true; ms = $ms; cpuMs = $cpuMs; jitted = $jitted; lat = $lat }
}

while ($null -ne ($line = [Console]::In.ReadLine())) {
    if (-not $line.Trim()) { continue }
    $msg = $line | ConvertFrom-Json
    try {
        switch ($msg.op) {
            'connect' {
                $url = [string] $msg.url
                $connectArgs = @{ Uri = $url }
                if ($msg.auth) { $connectArgs += @{ AuthorizationHandler = $BenchSignIn; CredentialStore = 'Memory' } }
                $null = Connect-McpServer @connectArgs
                $token = if ($msg.auth) { Get-McpToken -Uri $url -AsPlainText } else { $null }
                $targets[[string] $msg.target] = @{ Url = $url; Raw = Connect-Raw $url $token ($msg.era -eq 'modern') }
                Write-BenchReply @{ ok = $true }
            }
            'run' { Write-BenchReply (Invoke-Run $msg) }
            'newconn' {
                # The first call after a new connection while the connections to the other targets stay live
                # (each legacy one with its server-to-client event stream open): Connect-McpServer -Force, then
                # one timed Invoke-McpTool, count times.
                $url = [string] $msg.url
                $lat = foreach ($i in 1..([int] $msg.count)) {
                    $null = Connect-McpServer -Uri $url -Force
                    $t0 = [Diagnostics.Stopwatch]::GetTimestamp()
                    $result = Invoke-McpTool -Uri $url -Name echo -Arguments @{ message = "new-$i" } -ErrorAction Stop
                    ([Diagnostics.Stopwatch]::GetTimestamp() - $t0) * $tickMs
                    if ($result -cne "new-$i") { throw "wrong echo result '$result'" }
                }
                Write-BenchReply @{ ok = $true; lat = @($lat); live = @(Get-McpServer).Count }
            }
            'quit' { break }
            default { throw "unknown op $($msg.op)" }
        }
    }
    catch {
        Write-BenchReply @{ ok = $false; error = "$($_.FullyQualifiedErrorId): $_" }
    }
    if ($msg.op -eq 'quit') { break }
}
foreach ($set in $laneSets.Values) { Stop-LaneSet $set }
