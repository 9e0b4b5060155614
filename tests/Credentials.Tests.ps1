#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Get-McpToken, Update-McpCredential, Get-/Remove-McpCredential, Reset-McpCredentialStore against the
# OAuth fixture with short-lived tokens (same behaviour as TokenLifecycleTests.cs).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture -ArgumentList '--access-ttl', '4'
    function Get-Grants([string] $Type) { @(Get-FixtureEvents $fixture 'grant.success' | Where-Object grant_type -eq $Type) }
}
AfterAll { Stop-McpFixture $fixture }

Describe 'Token lifecycle' {
    BeforeEach {
        Initialize-McpAuthTestSession
        Invoke-RestMethod -Method Post -Uri "$($fixture.Admin)/consent" -Body '{"mode":"allow"}' -ContentType 'application/json' | Out-Null
    }

    It 'refreshes an expired token in the same session without a new authorization' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        $refreshes = (Get-Grants refresh_token).Count
        Start-Sleep -Seconds 5
        (Invoke-McpTool -Uri $fixture.Mcp whoami | ConvertFrom-Json).sub | Should -Be 'alice'
        (Get-Grants refresh_token).Count | Should -Be ($refreshes + 1)
    }

    It 'refreshes once for 20 parallel calls' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        Start-Sleep -Seconds 5
        $refreshes = (Get-Grants refresh_token).Count
        $uri = $fixture.Mcp
        $manifest = (Get-Module McpAuth).Path
        $results = 1..20 | ForEach-Object -Parallel {
            Import-Module $using:manifest
            Invoke-McpTool -Uri $using:uri echo @{ message = "call $_" }
        } -ThrottleLimit 20
        $results.Count | Should -Be 20
        (Get-Grants refresh_token).Count | Should -Be ($refreshes + 1)
    }

    It 'returns a SecureString token by default and plain text only with -AsPlainText' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        $t = Get-McpToken -Uri $fixture.Mcp
        $t.Token | Should -BeOfType ([securestring])
        $t.Resource | Should -Be $fixture.Mcp
        (Get-McpToken -Uri $fixture.Mcp -AsPlainText).Split('.').Count | Should -Be 3
    }

    It 'steps up with consent for a tool that needs more scopes' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null
        Invoke-McpTool -Uri $fixture.Mcp write @{ text = 'x' } | Should -Be 'written'
        (Get-McpServer -Name $fixture.Mcp).Scopes | Should -Contain 'mcp:write'
    }

    It 'keeps the old credential when step-up consent is denied' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null
        $before = Get-McpToken -Uri $fixture.Mcp -AsPlainText
        Invoke-RestMethod -Method Post -Uri "$($fixture.Admin)/consent" -Body '{"mode":"deny"}' -ContentType 'application/json' | Out-Null
        { Invoke-McpTool -Uri $fixture.Mcp write @{ text = 'x' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'AuthorizationDenied,McpAuth.Commands.InvokeMcpToolCommand'
        Get-McpToken -Uri $fixture.Mcp -AsPlainText | Should -Be $before
    }

    It 'reports InsufficientScope with the required scopes when nobody can consent' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null
        $err = $null
        Connect-McpServer $fixture.Mcp -CredentialStore Memory -Force | Invoke-McpTool write @{ text = 'x' } -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'InsufficientScope,McpAuth.Commands.InvokeMcpToolCommand'
        $err[0].Exception.RequiredScopes | Should -Contain 'mcp:write'
    }

    It 'adds scopes with Update-McpCredential -Scopes -PassThru' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -Scopes mcp:read -CredentialStore Memory -Force | Out-Null
        (Update-McpCredential -Uri $fixture.Mcp -Scopes mcp:write -PassThru).Scopes | Should -Contain 'mcp:write'
    }

    It 'changes nothing with -WhatIf' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        $refreshes = (Get-Grants refresh_token).Count
        Update-McpCredential -Uri $fixture.Mcp -WhatIf
        (Get-Grants refresh_token).Count | Should -Be $refreshes
    }

    It 'revokes and forgets tokens with Update-McpCredential -Revoke' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        Update-McpCredential -Uri $fixture.Mcp -Revoke
        (Get-McpCredential -Uri $fixture.Mcp -CredentialStore Memory).Status | Should -Be 'SignedOut'
        Get-FixtureEvents $fixture 'revocation' | Should -Not -BeNullOrEmpty
    }
}

Describe 'Stored credentials' {
    BeforeEach { Initialize-McpAuthTestSession }

    It 'lists a stored credential without any secret' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        $info = Get-McpCredential -Uri $fixture.Mcp -CredentialStore Memory
        $info.Issuer | Should -Be $fixture.Issuer
        $info.HasRefreshToken | Should -BeTrue
        $token = Get-McpToken -Uri $fixture.Mcp -AsPlainText
        ($info | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($token))
    }

    It 'removes a credential and revokes its tokens' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        Remove-McpCredential -Uri $fixture.Mcp -CredentialStore Memory -Force
        Get-McpCredential -Uri $fixture.Mcp -CredentialStore Memory | Should -BeNullOrEmpty
        Get-FixtureEvents $fixture 'revocation' | Should -Not -BeNullOrEmpty
    }

    It 'reports CredentialNotFound for a server with nothing stored' {
        { Remove-McpCredential -Uri 'http://127.0.0.1:9/mcp' -CredentialStore Memory -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'CredentialNotFound,McpAuth.Commands.RemoveMcpCredentialCommand'
    }

    It 'resets the store' {
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force | Out-Null
        Reset-McpCredentialStore -CredentialStore Memory -Force
        Get-McpCredential -CredentialStore Memory | Should -BeNullOrEmpty
    }
}
