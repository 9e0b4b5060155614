#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Test-McpServer against the real fixture: the public server, the OAuth server with and without a stored
# credential, and the hostile and negative endpoints. A typed result every time, never a hang or a prompt.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
}
AfterAll { Stop-McpFixture $fixture }

Describe 'Test-McpServer' {
    BeforeEach { Initialize-McpAuthTestSession }

    It 'reports a public server as healthy, with its protocol, tools and latency' {
        $r = Test-McpServer $fixture.Public
        $r | Should -BeOfType McpAuth.McpServerTestResult
        $r.Healthy | Should -BeTrue
        $r.Reachable | Should -BeTrue
        $r.ProtocolVersion | Should -Not -BeNullOrEmpty
        $r.AuthRequired | Should -BeFalse
        $r.Credential | Should -Be 'NotRequired'
        $r.ToolCount | Should -Be 24
        $r.LatencyMs | Should -BeGreaterThan 0
        $r.DiscoverySteps | Should -BeNullOrEmpty
        Test-McpServer $fixture.Public -Quiet | Should -BeTrue
    }

    It 'reports an OAuth server with no stored credential: issuer and discovery steps, and no sign-in' {
        $before = (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests
        $r = Test-McpServer $fixture.Mcp
        $r.Healthy | Should -BeFalse
        $r.Reachable | Should -BeTrue
        $r.AuthRequired | Should -BeTrue
        $r.CredentialUsable | Should -BeFalse
        $r.Credential | Should -Be 'SignInRequired'
        $r.ErrorId | Should -Be 'AuthenticationRequired'
        $r.Issuer | Should -Be ([uri] $fixture.Issuer)
        $r.DiscoverySteps.Count | Should -BeGreaterThan 1
        $r.DiscoverySteps[0].Url | Should -Match '/.well-known/oauth-protected-resource/mcp$'
        $r.DiscoverySteps[0].StatusCode | Should -Be 200
        $r.DiscoverySteps | ForEach-Object { $_.Milliseconds | Should -BeGreaterOrEqual 0; $_.Decision | Should -Not -BeNullOrEmpty }
        (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests | Should -Be $before
        Test-McpServer $fixture.Mcp -Quiet | Should -BeFalse
    }

    It 'uses a stored credential without a person and reports its expiry; -Tool calls one tool' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        Disconnect-McpServer $fixture.Mcp
        $r = Test-McpServer $fixture.Mcp -Tool echo -Arguments @{ message = 'ops check' }
        $r.Healthy | Should -BeTrue
        $r.CredentialUsable | Should -BeTrue
        $r.Credential | Should -Be 'Usable'
        $r.TokenExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
        $r.Issuer | Should -Be ([uri] $fixture.Issuer)
        $r.ToolSucceeded | Should -BeTrue
        $r.ToolResult | Should -Be 'ops check'
        Test-McpServer $fixture.Mcp -Quiet | Should -BeTrue
        # The live connections of the session are left alone.
        Get-McpServer | Where-Object ServerUri -eq $fixture.Mcp | Should -BeNullOrEmpty
    }

    It 'reports a tool that fails as unhealthy with ToolError' {
        $r = Test-McpServer $fixture.Public -Tool fail
        $r.Healthy | Should -BeFalse
        $r.ToolSucceeded | Should -BeFalse
        $r.ErrorId | Should -Be 'ToolError'
    }

    It 'reports the hostile endpoint <Path> as <ErrorId>, within the timeout' -TestCases @(
        @{ Path = 'notmcp'; ErrorId = 'NotAnMcpServer'; Reachable = $true }
        @{ Path = 'malformed'; ErrorId = 'MalformedResponse'; Reachable = $true }
        @{ Path = 'truncated-sse'; ErrorId = 'StreamEndedEarly'; Reachable = $true }
        @{ Path = 'huge'; ErrorId = 'ResponseTooLarge'; Reachable = $true }
        @{ Path = '500'; ErrorId = 'HttpError'; Reachable = $true }
        @{ Path = 'hang'; ErrorId = 'RequestTimedOut'; Reachable = $false }
    ) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $r = Test-McpServer "$($fixture.Bad)/$Path" -TimeoutSec 3
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
        $r.Healthy | Should -BeFalse
        $r.ErrorId | Should -Be $ErrorId
        $r.Reachable | Should -Be $Reachable
        $r.Error | Should -Not -BeNullOrEmpty
        Test-McpServer "$($fixture.Bad)/$Path" -TimeoutSec 3 -Quiet | Should -BeFalse
    }

    It 'reports the negative auth endpoint <Path> as <ErrorId> with the steps up to the refusal' -TestCases @(
        @{ Path = '/foreign-resource/mcp'; ErrorId = 'ResourceMismatch' }
        @{ Path = '/issuer-mismatch/mcp'; ErrorId = 'IssuerMismatch' }
        @{ Path = '/bad-prm/mcp'; ErrorId = 'MalformedMetadata' }
    ) {
        $r = Test-McpServer ($fixture.Neg + $Path)
        $r.AuthRequired | Should -BeTrue
        $r.ErrorId | Should -Be $ErrorId
        $r.DiscoverySteps | Should -Not -BeNullOrEmpty
        $r.DiscoverySteps[-1].Decision | Should -Match 'refus|malformed|mismatch|not'
    }

    It 'refuses a URL that is not an MCP endpoint with a typed error and tests the others' {
        $results = Test-McpServer 'ftp://example.com/mcp', $fixture.Public -ErrorVariable problems -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidServerUri,McpAuth.Commands.TestMcpServerCommand'
    }

    It 'takes servers from the pipeline by their ServerUri' {
        Connect-McpServer $fixture.Public | Out-Null
        (Get-McpServer | Where-Object ServerUri -eq $fixture.Public | Test-McpServer).Healthy | Should -BeTrue
    }

    It 'never prompts, even in a session where a person could answer' {
        $run = Invoke-Pwsh -Environment @{ MCPAUTH_CREDENTIAL_STORE = 'memory' } -Script "Test-McpServer '$($fixture.Mcp)' | ForEach-Object { 'CREDENTIAL ' + `$_.Credential }; Test-McpServer '$($fixture.Public)' -Tool elicit | ForEach-Object { 'TOOL ' + `$_.ToolResult }"
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Match 'CREDENTIAL SignInRequired'
        $run.Output | Should -Match 'TOOL .*"action":"decline"'
        $run.Output | Should -Not -Match 'paste|/oidc/auth\?'
    }
}
