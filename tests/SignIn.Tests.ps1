#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Connect-McpServer against the OAuth-protected fixture (same behaviour as SignInTests.cs).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
}
AfterAll { Stop-McpFixture $fixture }

Describe 'Connect-McpServer sign-in' {
    BeforeEach { Initialize-McpAuthTestSession }

    It 'signs in with dynamic registration and calls a tool in the same session' {
        $me = Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force |
            Invoke-McpTool whoami | ConvertFrom-Json
        $me.sub | Should -Be 'alice'
        $me.aud | Should -Be $fixture.Mcp
    }

    It 'shows issuer, resource, scopes and expiry on the connection' {
        $c = Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force
        $c.Issuer | Should -Be ([uri]$fixture.Issuer)
        $c.Resource | Should -Be $fixture.Mcp
        $c.Scopes | Should -Contain 'mcp:read'
        $c.ExpiresOn | Should -Not -BeNullOrEmpty
        $c.HasRefreshToken | Should -BeTrue
    }

    It 'signs in with the pre-registered client <ClientId>' -TestCases @(
        @{ ClientId = 'mcpauth-public'; Secret = $null; Method = $null }
        @{ ClientId = 'mcpauth-confidential'; Secret = 'fixture-secret-1234567890'; Method = $null }
        @{ ClientId = 'mcpauth-post'; Secret = 'fixture-secret-1234567890'; Method = 'client_secret_post' }
    ) {
        $p = @{ Uri = $fixture.Mcp; AuthorizationHandler = $AutoConsent; CredentialStore = 'Memory'; ClientId = $ClientId }
        if ($Secret) { $p.ClientSecret = ConvertTo-SecureString $Secret -AsPlainText -Force }
        if ($Method) { $p.TokenEndpointAuthMethod = $Method }
        (Connect-McpServer @p | Invoke-McpTool whoami | ConvertFrom-Json).client_id | Should -Be $ClientId
    }

    It 'requests offline_access with prompt=consent' {
        Invoke-RestMethod -Method Post -Uri "$($fixture.Admin)/log/clear" | Out-Null
        (Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force).HasRefreshToken | Should -BeTrue
        $request = Get-FixtureEvents $fixture 'authorization.request' | Select-Object -Last 1
        $request.scope -split ' ' | Should -Contain 'offline_access'
        $request.prompt | Should -Be 'consent'
        $request.resource | Should -Be $fixture.Mcp
    }

    It 'refuses <Path> with <ErrorId> before any authorization request' -TestCases @(
        @{ Path = '/foreign-resource/mcp'; ErrorId = 'ResourceMismatch' }
        @{ Path = '/issuer-mismatch/mcp'; ErrorId = 'IssuerMismatch' }
        @{ Path = '/no-s256/mcp'; ErrorId = 'PkceNotSupported' }
        @{ Path = '/http-as/mcp'; ErrorId = 'InsecureEndpoint' }
        @{ Path = '/bad-challenge/mcp'; ErrorId = 'MalformedChallenge' }
        @{ Path = '/bad-prm/mcp'; ErrorId = 'MalformedMetadata' }
    ) {
        $before = (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests
        { Connect-McpServer ($fixture.Neg + $Path) -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force -ErrorAction Stop } |
            Should -Throw -ErrorId "$ErrorId,McpAuth.Commands.ConnectMcpServerCommand"
        (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests | Should -Be $before
    }

    It 'refuses a tampered <Name> in the authorization response' -TestCases @(
        @{ Name = 'state'; ErrorId = 'StateMismatch' }
        @{ Name = 'iss'; ErrorId = 'AuthorizationResponseIssuerMismatch' }
    ) {
        # GetNewClosure copies only this scope's variables: the consent script block is taken into one first.
        $consent = $AutoConsent
        $tamper = { param([uri] $url) $cb = & $consent $url; [uri]($cb.AbsoluteUri -replace "([?&]$Name=)[^&]*", '$1tampered') }.GetNewClosure()
        { Connect-McpServer $fixture.Mcp -AuthorizationHandler $tamper -CredentialStore Memory -Force -ErrorAction Stop } |
            Should -Throw -ErrorId "$ErrorId,McpAuth.Commands.ConnectMcpServerCommand"
    }

    It 'does not wait for a human in a non-interactive session' {
        { Connect-McpServer $fixture.Mcp -CredentialStore Memory -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'InteractionRequired,McpAuth.Commands.ConnectMcpServerCommand'
    }

    It 'signs in a machine identity with client credentials' {
        $secret = ConvertTo-SecureString 'fixture-secret-1234567890' -AsPlainText -Force
        (Connect-McpServer $fixture.Mcp -ClientCredentials -ClientId mcpauth-machine -ClientSecret $secret -CredentialStore Memory |
            Invoke-McpTool whoami | ConvertFrom-Json).client_id | Should -Be 'mcpauth-machine'
    }

    It 'never writes a secret to any stream' {
        $secret = 'fixture-secret-1234567890'
        $all = & {
            $c = Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -ClientId mcpauth-confidential `
                -ClientSecret (ConvertTo-SecureString $secret -AsPlainText -Force) -CredentialStore Memory -Force -Verbose -Debug
            $c | Invoke-McpTool whoami -Verbose -Debug
            $c | Format-List * | Out-String
        } *>&1 | Out-String
        $token = Get-McpToken -Uri $fixture.Mcp -AsPlainText
        $code = [System.Web.HttpUtility]::ParseQueryString($LastCallback.Query)['code']
        foreach ($s in $secret, $token, $code) { $all | Should -Not -Match ([regex]::Escape($s)) }
    }
}
