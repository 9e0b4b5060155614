#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The first-run defects a new user met in real pwsh (issue #10), each run the way the user ran it: in a new
# pwsh process, under -NonInteractive, or at a console (a pseudo-terminal) where the console host reads keys.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
    $store = Join-Path ([IO.Path]::GetTempPath()) ("mcpauth-firstrun-{0}" -f [guid]::NewGuid().ToString('N'))
    # The fixture's browser, for a child process: follows the redirects with cookies; -Visit also lets the
    # loopback listener receive the code, else the URL the browser ends on is returned.
    $browser = {
        param([uri] $Url, [switch] $Visit)
        $cb = & $AutoConsent $Url
        if ($Visit) { $null = [System.Net.Http.HttpClient]::new().GetAsync($cb).GetAwaiter().GetResult() }
        $cb
    }
    $defineConsent = (Get-Content (Join-Path $PSScriptRoot 'TestHelpers.ps1') -Raw) -replace '(?s)^.*?(\$script:AutoConsent = \{.*?\n\})\n.*$', '$1'
}
AfterAll {
    Stop-McpFixture $fixture
    Remove-Item -LiteralPath $store -Recurse -Force -ErrorAction Ignore
}

Describe 'Documented positional syntax' {
    BeforeEach { Initialize-McpAuthTestSession }

    It 'Get-McpToken takes the server as its first positional argument' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        (Get-McpToken $fixture.Mcp).Token | Should -BeOfType [securestring]
        Get-McpToken $fixture.Mcp -AsPlainText | Should -Match '^[\w-]+\.[\w-]+\.[\w-]+$'
        (Get-McpToken (Get-McpServer | Where-Object ServerUri -eq $fixture.Mcp)).Resource | Should -Be $fixture.Mcp
    }

    It 'every cmdlet that acts on one server takes it at position 0 unless a tool, prompt or skill name needs it' {
        # README: the commands whose first positional argument names a tool, a prompt or a skill.
        $toolFirst = 'Get-McpTool', 'Invoke-McpTool', 'Get-McpPrompt', 'Get-McpPromptMessage', 'Get-McpSkill', 'Read-McpSkill'
        foreach ($command in Get-Command -Module McpAuth) {
            $server = $command.Parameters['Uri']
            if (-not $server -or $command.Name -eq 'Get-McpServer') { continue }
            $positions = @($server.ParameterSets.Values | ForEach-Object Position | Sort-Object -Unique)
            if ($command.Name -in $toolFirst) {
                $command.Parameters['Name'].ParameterSets.Values.Position | Should -Contain 0 -Because $command.Name
            }
            else {
                $positions | Should -Be @(0) -Because "$($command.Name) -Uri"
            }
        }
    }

    It 'Disconnect-McpServer and Test-McpServer take the server positionally too' {
        Connect-McpServer $fixture.Public | Out-Null
        Disconnect-McpServer $fixture.Public
        Get-McpServer | Where-Object ServerUri -eq $fixture.Public | Should -BeNullOrEmpty
        Test-McpServer $fixture.Public -Quiet | Should -BeTrue
    }
}

Describe 'Sign-in under pwsh -NonInteractive' {
    It 'a sign-in that needs a person fails with the typed InteractionRequired, prints no URL and never reads the host' {
        $run = Invoke-Pwsh -NonInteractive -Environment @{ MCPAUTH_CREDENTIAL_STORE = 'memory' } -Script @"
try { Connect-McpServer '$($fixture.Mcp)' -NoBrowser -ErrorAction Stop }
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'CATEGORY ' + `$_.CategoryInfo.Category; 'ACTION ' + `$_.ErrorDetails.RecommendedAction }
"@
        $run.Output | Should -Match 'ERRORID InteractionRequired,McpAuth.Commands.ConnectMcpServerCommand'
        $run.Output | Should -Match 'CATEGORY AuthenticationError'
        $run.Output | Should -Match 'ACTION Connect-McpServer'
        $run.Output + $run.Error | Should -Not -Match 'NonInteractive mode'
        $run.Output + $run.Error | Should -Not -Match '/oidc/auth\?'
    }

    It 'a step-up that needs a person fails with the typed InsufficientScope and its required scopes' {
        $env:MCPAUTH_STORE_DIR = $store
        try {
            Connect-McpServer $fixture.Mcp -Scopes mcp:read -AuthorizationHandler $AutoConsent -CredentialStore Plaintext -Force -WarningAction SilentlyContinue | Out-Null
        }
        finally { Remove-Item Env:MCPAUTH_STORE_DIR }
        $run = Invoke-Pwsh -NonInteractive -Environment @{ MCPAUTH_STORE_DIR = $store; MCPAUTH_CREDENTIAL_STORE = 'plaintext'; MCPAUTH_ALLOW_PLAINTEXT_STORAGE = '1' } -Script @"
try { Invoke-McpTool -Uri '$($fixture.Mcp)' write @{ text = 'x' } -ErrorAction Stop -WarningAction SilentlyContinue }
catch { 'ERRORID ' + `$_.FullyQualifiedErrorId; 'SCOPES ' + (`$_.Exception.RequiredScopes -join ' ') }
"@
        $run.Output | Should -Match 'ERRORID InsufficientScope,McpAuth.Commands.InvokeMcpToolCommand'
        $run.Output | Should -Match 'SCOPES .*mcp:write'
        $run.Output + $run.Error | Should -Not -Match 'NonInteractive mode'
    }
}

Describe 'Sign-in at a console without a browser' -Skip:(-not $IsLinux) {
    It 'finishes when the loopback callback arrives, without a key press at the paste prompt' {
        $tty = Start-PwshInTerminal -Environment @{ MCPAUTH_CREDENTIAL_STORE = 'memory' } -Script @"
Connect-McpServer '$($fixture.Mcp)' -NoBrowser -SignInTimeoutSec 120 | Invoke-McpTool whoami | ForEach-Object { 'WHOAMI ' + `$_ }
'DONE'
"@
        try {
            $script:TerminalText = ''
            $line = Wait-TerminalLine $tty 'https?://\S+/oidc/auth\?\S+'
            $url = [regex]::Match($line, 'https?://\S+/oidc/auth\?\S+').Value
            # The paste prompt has no line end until it closes: give it time to be waiting for keys.
            Start-Sleep -Seconds 2
            & $browser $url -Visit | Out-Null
            Wait-TerminalLine $tty 'WHOAMI .*"sub":"alice"' -TimeoutSec 60 | Out-Null
            $script:TerminalText | Should -Match 'paste the full URL'
            Wait-TerminalLine $tty 'DONE$' -TimeoutSec 30 | Out-Null
            $tty.WaitForExit(30000) | Should -BeTrue
            $tty.ExitCode | Should -Be 0
        }
        finally { if (-not $tty.HasExited) { $tty.Kill($true) } }
    }
}

Describe 'No keychain over SSH' -Skip:(-not $IsLinux) {
    BeforeAll { $noBus = @{ DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/mcpauth-no-bus'; DISPLAY = $null } }

    It 'an interactive session offers memory, plain text or stop; memory connects and Get-McpCredential lists it' {
        $tty = Start-PwshInTerminal -Environment $noBus -Script @"
$defineConsent
Connect-McpServer '$($fixture.Mcp)' -AuthorizationHandler `$script:AutoConsent | Invoke-McpTool whoami | ForEach-Object { 'WHOAMI ' + `$_ }
Get-McpCredential | ForEach-Object { 'CREDENTIAL ' + `$_.Resource + ' ' + `$_.StoreKind }
'STORE ' + `$env:MCPAUTH_CREDENTIAL_STORE
"@
        try {
            $script:TerminalText = ''
            Wait-TerminalLine $tty 'The system keychain is not available' | Out-Null
            Wait-TerminalLine $tty '\[M\] Memory' -TimeoutSec 30 | Out-Null
            $tty.StandardInput.Write("M`r")
            $tty.StandardInput.Flush()
            Wait-TerminalLine $tty 'WHOAMI .*"sub":"alice"' | Out-Null
            Wait-TerminalLine $tty "CREDENTIAL $([regex]::Escape($fixture.Mcp)) Memory" -TimeoutSec 30 | Out-Null
            Wait-TerminalLine $tty 'STORE memory' -TimeoutSec 30 | Out-Null
            $tty.WaitForExit(30000) | Should -BeTrue
        }
        finally { if (-not $tty.HasExited) { $tty.Kill($true) } }
    }

    It 'a non-interactive session keeps the typed KeychainUnavailable error and asks nothing' {
        $environment = $noBus.Clone()
        $run = Invoke-Pwsh -NonInteractive -Environment $environment -Script @"
$defineConsent
try { Connect-McpServer '$($fixture.Mcp)' -AuthorizationHandler `$script:AutoConsent -ErrorAction Stop } catch { 'ERRORID ' + `$_.FullyQualifiedErrorId }
"@
        $run.Output | Should -Match 'ERRORID KeychainUnavailable,McpAuth.Commands.ConnectMcpServerCommand'
        $run.Output + $run.Error | Should -Not -Match 'Memory'
    }

    It 'Get-McpCredential lists a memory-store connection even when the keychain cannot be read' {
        $run = Invoke-Pwsh -NonInteractive -Environment $noBus -Script @"
$defineConsent
Connect-McpServer '$($fixture.Mcp)' -AuthorizationHandler `$script:AutoConsent -CredentialStore Memory | Out-Null
Get-McpCredential -ErrorVariable problems -ErrorAction SilentlyContinue | ForEach-Object { 'CREDENTIAL ' + `$_.StoreKind + ' ' + `$_.Resource }
`$problems | ForEach-Object { 'ERRORID ' + `$_.FullyQualifiedErrorId }
"@
        $run.Output | Should -Match "CREDENTIAL Memory $([regex]::Escape($fixture.Mcp))"
        $run.Output | Should -Match 'ERRORID KeychainUnavailable,McpAuth.Commands.GetMcpCredentialCommand'
    }
}
