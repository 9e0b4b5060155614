#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
}
AfterAll { Stop-McpFixture $fixture }

Describe 'Connect-McpServer' {
    It 'connects and returns a connection object with the negotiated protocol' {
        $c = Connect-McpServer $fixture.Public
        $c | Should -BeOfType ([McpAuth.McpServerConnection])
        $c.ProtocolVersion | Should -Be '2025-11-25'
        $c.SessionId | Should -Not -BeNullOrEmpty
        $c.ServerUri | Should -Be ([uri]$fixture.Public)
    }

    It 'reuses the live connection for the same server' {
        $a = Connect-McpServer $fixture.Public
        $b = Connect-McpServer $fixture.Public
        $b.SessionId | Should -Be $a.SessionId
        (Connect-McpServer $fixture.Public -Force).SessionId | Should -Not -Be $a.SessionId
    }

    It 'lists live connections with Get-McpServer' {
        Connect-McpServer $fixture.PublicJson | Out-Null
        (Get-McpServer).ServerUri | Should -Contain ([uri]$fixture.PublicJson)
    }

    It 'reports an unreachable server as ServerUnreachable' {
        { Connect-McpServer 'http://127.0.0.1:9/mcp' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServerUnreachable,McpAuth.Commands.ConnectMcpServerCommand'
    }

    It 'reports <Path> as <ErrorId>' -TestCases @(
        @{ Path = '/notmcp'; ErrorId = 'NotAnMcpServer' }
        @{ Path = '/malformed'; ErrorId = 'MalformedResponse' }
        @{ Path = '/truncated-sse'; ErrorId = 'StreamEndedEarly' }
        @{ Path = '/huge'; ErrorId = 'ResponseTooLarge' }
        @{ Path = '/500'; ErrorId = 'HttpError' }
    ) {
        { Connect-McpServer ($fixture.Bad + $Path) -ErrorAction Stop } |
            Should -Throw -ErrorId "$ErrorId,McpAuth.Commands.ConnectMcpServerCommand"
    }

    It 'times out a server that never answers' {
        { Connect-McpServer ($fixture.Bad + '/hang') -TimeoutSec 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'RequestTimedOut,McpAuth.Commands.ConnectMcpServerCommand'
    }

    It 'refuses plain http to a host that is not loopback' {
        { Connect-McpServer 'http://mcp.example.com/mcp' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InsecureEndpoint,McpAuth.Commands.ConnectMcpServerCommand'
    }

    It 'ends the session with Disconnect-McpServer' {
        $c = Connect-McpServer $fixture.Public -Force
        $c | Disconnect-McpServer
        $c.IsConnected | Should -BeFalse
        Get-FixtureRequests $fixture | Where-Object { $_.method -eq 'DELETE' -and $_.sessionId -eq $c.SessionId } |
            Should -Not -BeNullOrEmpty
    }
}
