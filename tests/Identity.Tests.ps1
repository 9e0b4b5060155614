#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The organisations' sign-in ways in real pwsh against the fixture's identity peers (identity.mjs): DPoP with
# a refresh in a second process from the keychain, enterprise-managed authorization with an ID token,
# workload identity from a file that rotates, Entra's refusal of `resource` and -OmitResource, and typed
# failures. Access tokens live 4 s; expiry is reached by moving the module's clock (MCPAUTH_CLOCK_OFFSET_SECONDS).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $script:AccessTtl = 4
    $fixture = Start-McpFixture -ArgumentList '--access-ttl', $script:AccessTtl
    $script:ClientSecret = 'fixture-secret-1234567890'

    function Invoke-Admin {
        param([string] $Path, $Body = @{})
        Invoke-RestMethod -Method Post -Uri "$($fixture.Admin)$Path" -ContentType 'application/json' -Body ($Body | ConvertTo-Json -Compress)
    }

    function New-Secure([string] $Text) { [System.Net.NetworkCredential]::new('', $Text).SecurePassword }

    function Get-Sub { param([Parameter(ValueFromPipeline)] $Json) process { ($Json | ConvertFrom-Json).sub } }

    function Get-Event([string] $Type) { @(Get-FixtureEvents $fixture $Type) }

    # A child process gets the same browser stand-in as this one.
    $script:AutoConsentDefinition = "`$AutoConsent = {$($AutoConsent.ToString())}"
}
AfterAll {
    $env:MCPAUTH_CLOCK_OFFSET_SECONDS = $null
    Stop-McpFixture $fixture
}

Describe 'Sign-in ways of organisations' {
    BeforeEach {
        Initialize-McpAuthTestSession
        $env:MCPAUTH_CLOCK_OFFSET_SECONDS = $null
        Invoke-Admin '/identity' @{ asNonce = $false; rsNonce = $false } | Out-Null
        Invoke-Admin '/log/clear' | Out-Null
        $dir = Join-Path ([IO.Path]::GetTempPath()) ('mcpauth-identity-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
    }
    AfterEach {
        $env:MCPAUTH_CLOCK_OFFSET_SECONDS = $null
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    Context 'DPoP' {
        It 'signs in with a DPoP-bound token and every call carries a fresh proof of one key' {
            $c = Connect-McpServer $fixture.Dpop -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force
            $c.IsDPoPBound | Should -BeTrue
            1..2 | ForEach-Object { $c | Invoke-McpTool whoami | Get-Sub | Should -Be 'alice' }
            $token = Get-McpToken -Connection $c
            $token.TokenType | Should -Be 'DPoP'
            $token.IsDPoPBound | Should -BeTrue
            $accepted = Get-Event 'dpop.accepted'
            $accepted.Count | Should -BeGreaterOrEqual 3
            @($accepted.jti | Select-Object -Unique).Count | Should -Be $accepted.Count
            @($accepted.jkt | Select-Object -Unique).Count | Should -Be 1
        }

        It 'refreshes in a second pwsh process with the key it reads from the keychain' {
            if (-not $env:DBUS_SESSION_BUS_ADDRESS) { throw 'This test needs a keyring: source .ci/keyring.sh; keyring_start' }
            $environment = @{ MCPAUTH_CREDENTIAL_STORE = 'keychain'; MCPAUTH_STORE_DIR = $dir; MCPAUTH_NONINTERACTIVE = '1'; MCPAUTH_NO_BROWSER = '1'; MCPAUTH_CLOCK_OFFSET_SECONDS = $null }
            $first = Invoke-Pwsh -NonInteractive -Environment $environment -Script @"
$script:AutoConsentDefinition
Connect-McpServer '$($fixture.Dpop)' -AuthorizationHandler `$AutoConsent -Force | Invoke-McpTool whoami
"@
            $first.ExitCode | Should -Be 0 -Because $first.Error
            $first.Output | Should -Match '"sub":\s*"alice"'
            $authorizations = (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests
            $refreshes = @(Get-Event 'grant.success' | Where-Object grant_type -EQ 'refresh_token').Count

            # The access token has expired for the next process: it refreshes (the refresh token is bound to the
            # key too) and calls, proving possession with the key kept with the credential in the keychain.
            $environment.MCPAUTH_CLOCK_OFFSET_SECONDS = $script:AccessTtl + 2
            $second = Invoke-Pwsh -NonInteractive -Environment $environment -Script @"
Invoke-McpTool -Uri '$($fixture.Dpop)' whoami
'BOUND ' + (Get-McpCredential -Uri '$($fixture.Dpop)').IsDPoPBound
"@
            $second.ExitCode | Should -Be 0 -Because $second.Error
            $second.Output | Should -Match '"sub":\s*"alice"'
            $second.Output | Should -Match 'BOUND True'
            @(Get-Event 'grant.success' | Where-Object grant_type -EQ 'refresh_token').Count | Should -Be ($refreshes + 1)
            (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests | Should -Be $authorizations
            @(Get-Event 'dpop.accepted' | Select-Object -ExpandProperty jkt -Unique).Count | Should -Be 1
            # Nothing secret in the store directory: the key lives in the keychain item.
            Get-ChildItem -LiteralPath $dir -Recurse -File | ForEach-Object {
                Get-Content -LiteralPath $_.FullName -Raw | Should -Not -Match '"d"\s*:'
            }
        }
    }

    Context 'Enterprise-managed authorization' {
        It 'exchanges an ID token for an ID-JAG, calls, and renews by exchanging it again' {
            $idToken = (Invoke-Admin '/identity/id-token' @{ sub = 'erin' }).id_token
            $p = @{
                Uri = $fixture.Mcp; IdentityProvider = $fixture.Idp; IdentityProviderClientId = $fixture.IdpClient
                IdentityAssertion = New-Secure $idToken; ClientId = 'mcpauth-enterprise'; ClientSecret = New-Secure $script:ClientSecret
                CredentialStore = 'Memory'
            }
            $c = Connect-McpServer @p
            $c.AuthorizationMethod | Should -Be 'EnterpriseManaged'
            $c | Invoke-McpTool whoami | Get-Sub | Should -Be 'erin'
            $exchange = Get-Event 'token_exchange'
            $exchange.Count | Should -Be 1
            $exchange[0].subject_token_type | Should -Be 'urn:ietf:params:oauth:token-type:id_token'
            $exchange[0].audience | Should -Be $fixture.Issuer
            $exchange[0].resource | Should -Be $fixture.Mcp
            (Get-Event 'jwt_bearer')[0].kind | Should -Be 'id-jag'

            $env:MCPAUTH_CLOCK_OFFSET_SECONDS = $script:AccessTtl + 2
            Invoke-McpTool -Uri $fixture.Mcp whoami | Get-Sub | Should -Be 'erin'
            (Get-Event 'token_exchange').Count | Should -Be 2
            (Get-Event 'jwt_bearer').Count | Should -Be 2
            (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests | Should -Be 0
        }

        It 'refuses an ID token the identity provider did not sign with a typed error and stores nothing' {
            $idToken = (Invoke-Admin '/identity/id-token' @{ sub = 'erin' }).id_token
            $parts = $idToken.Split('.')
            $forged = $parts[0] + '.' + $parts[1] + '.' + ('A' * $parts[2].Length)
            $p = @{
                Uri = $fixture.Mcp; IdentityProvider = $fixture.Idp; IdentityProviderClientId = $fixture.IdpClient
                IdentityAssertion = New-Secure $forged; ClientId = 'mcpauth-enterprise'; ClientSecret = New-Secure $script:ClientSecret
                CredentialStore = 'Memory'
            }
            $err = $null
            Connect-McpServer @p -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidGrant,McpAuth.Commands.ConnectMcpServerCommand'
            $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            ($err[0] | Out-String) | Should -Not -Match ([regex]::Escape($parts[1]))
            Get-Event 'jwt_bearer' | Should -BeNullOrEmpty
            Get-McpCredential -Uri $fixture.Mcp -CredentialStore Memory | Should -BeNullOrEmpty
        }
    }

    Context 'Workload identity' {
        It 'reads the token file again on every exchange as the platform rotates it' {
            $file = Join-Path $dir 'token.jwt'
            Set-Content -LiteralPath $file -NoNewline -Value (Invoke-Admin '/identity/workload-token' @{ sub = 'job-1' }).token
            $c = Connect-McpServer $fixture.Mcp -WorkloadIdentityTokenPath $file -ClientId mcpauth-workload -CredentialStore Memory
            $c.AuthorizationMethod | Should -Be 'WorkloadIdentity'
            $c | Invoke-McpTool whoami | Get-Sub | Should -Be 'job-1'

            Set-Content -LiteralPath $file -NoNewline -Value (Invoke-Admin '/identity/workload-token' @{ sub = 'job-2' }).token
            $env:MCPAUTH_CLOCK_OFFSET_SECONDS = $script:AccessTtl + 2
            Invoke-McpTool -Uri $fixture.Mcp whoami | Get-Sub | Should -Be 'job-2'
            @(Get-Event 'jwt_bearer' | Where-Object kind -EQ 'workload').sub | Should -Be @('job-1', 'job-2')
            (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests | Should -Be 0
        }

        It 'reports a rejected (expired) workload assertion at once as <ErrorId> with one token request' -TestCases @(
            @{ ErrorId = 'InvalidGrant' }
        ) {
            $file = Join-Path $dir 'expired.jwt'
            Set-Content -LiteralPath $file -NoNewline -Value (Invoke-Admin '/identity/workload-token' @{ sub = 'job-x'; ttl = -60 }).token
            Invoke-Admin '/requests/clear' | Out-Null
            { Connect-McpServer $fixture.Mcp -WorkloadIdentityTokenPath $file -ClientId mcpauth-workload -CredentialStore Memory -ErrorAction Stop } |
                Should -Throw -ErrorId "$ErrorId,McpAuth.Commands.ConnectMcpServerCommand"
            (Invoke-RestMethod -Uri "$($fixture.Admin)/requests").asCounts.'/oidc/token' | Should -Be 1
            (Invoke-RestMethod -Uri "$($fixture.Admin)/log").authorizationRequests | Should -Be 0
            Get-Event 'registration' | Should -BeNullOrEmpty
        }
    }

    Context 'Microsoft Entra ID refuses resource' {
        BeforeAll { $entra = $fixture.Quirks + '/entra/mcp' }

        It 'is the typed error ResourceParameterRejected that names -OmitResource' {
            $err = $null
            Connect-McpServer $entra -ClientId mcpauth-entra -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force -ErrorVariable err -ErrorAction SilentlyContinue
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'ResourceParameterRejected,McpAuth.Commands.ConnectMcpServerCommand'
            $err[0].Exception.Message | Should -Match 'AADSTS9010010'
            $err[0].ErrorDetails.RecommendedAction | Should -Match '-OmitResource'
        }

        It 'signs in and calls with -OmitResource, sending no resource parameter' {
            $me = Connect-McpServer $entra -ClientId mcpauth-entra -OmitResource -Scopes mcp:read -AuthorizationHandler $AutoConsent -CredentialStore Memory -Force |
                Invoke-McpTool whoami | ConvertFrom-Json
            $me.sub | Should -Be 'alice'
            $requests = Get-Event 'authorization.request'
            $requests | Should -Not -BeNullOrEmpty
            $requests | ForEach-Object { $_.resource | Should -BeNullOrEmpty }
        }
    }
}
