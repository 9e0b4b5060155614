#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# MCP protocol eras: the same cmdlets against a legacy (2025-11-25, SDK 1.x) and a modern (2026-07-28,
# SDK 2.x) server of the fixture, and the modern protocol's own behaviour.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
    $origin = ([uri] $fixture.Mcp).GetLeftPart([System.UriPartial]::Authority)
    $modern = "$origin/modern/public/mcp"
    $modernBad = "$origin/bad/modern"
}
AfterAll { Stop-McpFixture $fixture }

Describe 'MCP protocol eras' {
    It 'calls a tool on a <Era> server and shows the era and version' -TestCases @(
        @{ Era = 'Legacy'; Path = 'public/mcp'; Version = '2025-11-25' }
        @{ Era = 'Modern'; Path = 'modern/public/mcp'; Version = '2026-07-28' }
    ) {
        $connection = Connect-McpServer "$origin/$Path" -Force
        $connection.Era | Should -Be $Era
        $connection.ProtocolVersion | Should -Be $Version
        $connection | Invoke-McpTool echo @{ message = 'hi' } | Should -Be 'hi'
        (Get-McpServer -Name "$origin/$Path").Era | Should -Be $Era
    }

    It 'mirrors arguments marked x-mcp-header into Mcp-Param headers, Base64 when not plain ASCII' {
        $seen = Invoke-McpTool -Uri $modern headers @{ region = 'München'; priority = 7 } | ConvertFrom-Json
        $seen.region | Should -Be '=?base64?TcO8bmNoZW4=?='
        $seen.priority | Should -Be '7'
    }

    It 'asks a modern server for its log messages with -Verbose and writes them as verbose output' {
        $records = Invoke-McpTool -Uri $modern log -Verbose 4>&1
        $records | Where-Object { $_ -is [string] } | Should -Be 'logged'
        ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Should -Contain 'Server log (info): info message from the fixture'
    }

    It 'declines a modern input request when nobody can answer, with a warning' {
        $env:MCPAUTH_NONINTERACTIVE = '1'
        try {
            $answer = Invoke-McpTool -Uri $modern elicit -WarningVariable warnings -WarningAction SilentlyContinue | ConvertFrom-Json
        }
        finally {
            Remove-Item Env:MCPAUTH_NONINTERACTIVE
        }
        $answer.action | Should -Be 'decline'
        $answer.requestState | Should -Be 'fixture-elicit-1'
        $warnings | Should -Not -BeNullOrEmpty
    }

    It 'fails with <Id> against a modern server that <Case>, without hanging' -TestCases @(
        @{ Case = 'no-common-version'; Id = 'UnsupportedProtocolVersion' }
        @{ Case = 'header-mismatch'; Id = 'HeaderMismatch' }
        @{ Case = 'endless-input'; Id = 'InputRequiredLoop' }
        @{ Case = 'unknown-result-type'; Id = 'UnknownResultType' }
    ) {
        $env:MCPAUTH_NONINTERACTIVE = '1'
        try {
            { Invoke-McpTool -Uri "$modernBad/$Case/mcp" echo @{ message = 'x' } -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "$Id,McpAuth.Commands.InvokeMcpToolCommand"
        }
        finally {
            Remove-Item Env:MCPAUTH_NONINTERACTIVE
        }
    }
}
