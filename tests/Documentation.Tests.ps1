#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Runs, against the real fixture, every command line README.md shows and every help example that can run
# on this machine (not only parses them). Example URLs (https://mcp.example.com/mcp, the staging one) become
# the fixture's OAuth MCP server, where a stored credential exists, so nothing waits for a browser.
# Pester examples run in a child pwsh with Pester. An example that cannot run here is listed below with the
# reason, and a test keeps that list exact.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $examples = foreach ($command in Get-Command -Module McpAuth | Sort-Object Name) {
        $i = 0
        foreach ($example in @((Get-Help $command.Name -Examples).examples.example)) {
            $i++
            @{ Id = "$($command.Name) #$i"; Code = ($example.code -join "`n") }
        }
    }
    $readme = Get-Content (Join-Path $PSScriptRoot '../README.md') -Raw
    $blocks = [regex]::Matches($readme, '(?ms)^```powershell\r?\n(.*?)^```') | ForEach-Object { $_.Groups[1].Value }
    $readmeLines = foreach ($block in $blocks) {
        if ($block -match '(?m)^\s*Describe ') { @{ Id = 'README Pester block'; Code = $block } }
        else {
            foreach ($line in $block -split '\r?\n') {
                $code = ($line -replace '\s+#.*$', '').Trim()
                if ($code) { @{ Id = "README: $code"; Code = $code } }
            }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
    $storeDir = Join-Path ([IO.Path]::GetTempPath()) ("mcpauth-docs-{0}" -f [guid]::NewGuid().ToString('N'))
    # One plain-text store in a temporary folder: this process and the child pwsh of the Pester examples share it.
    $storeEnvironment = @{ MCPAUTH_CREDENTIAL_STORE = 'plaintext'; MCPAUTH_ALLOW_PLAINTEXT_STORAGE = '1'; MCPAUTH_STORE_DIR = $storeDir; MCPAUTH_NONINTERACTIVE = '1'; MCPAUTH_NO_BROWSER = '1' }

    # Examples that cannot run on this machine, and why. Everything else runs.
    $script:NotHere = @{
        'Connect-McpServer #1'     = 'calls search_issues, a tool of a real issue tracker the fixture does not have'
        'Connect-McpServer #3'     = 'needs a device-code client (contoso-ci) registered at the identity provider and a person to approve'
        'Connect-McpServer #4'     = 'reads a client secret with Get-Secret (SecretManagement, not installed here)'
        'Connect-McpServer #7'     = 'signs in at login.contoso.com, an identity provider the fixture does not have (the hosted AssertionGrantTests cover it)'
        'Connect-McpServer #8'     = 'reads a platform token from /var/run/secrets, which this machine does not have (the hosted AssertionGrantTests cover it)'
        'Connect-McpServer #9'     = 'uses a client registered at Microsoft Entra ID (the hosted ProviderQuirkTests cover the quirk)'
        'Get-McpTool #3'           = 'calls get_weather, which the fixture does not have'
        'Get-McpTool #4'           = 'expects search_issues and create_issue, which the fixture does not have'
        'Invoke-McpTool #2'        = 'calls search_issues, which the fixture does not have'
        'Invoke-McpTool #3'        = 'calls deploy, which the fixture does not have'
        'Invoke-McpTool #5'        = 'reads a client secret with Get-Secret (SecretManagement, not installed here)'
        'Disconnect-McpServer #2'  = 'calls sync_inventory, which the fixture does not have'
        'Watch-McpResource #1'     = 'writes changes until Ctrl+C, and nobody changes the resource here; Resources.Tests.ps1 runs the same pipeline against a change the fixture makes'
        'Get-McpSkill #1' = 'the fixture has no skills server (the conformance sep-2640 client scenarios and SkillTests cover it)'
        'Get-McpSkill #2' = 'the fixture has no skills server (the conformance sep-2640 client scenarios and SkillTests cover it)'
        'Read-McpSkill #1' = 'the fixture has no skills server (the conformance sep-2640 client scenarios and SkillTests cover it)'
        'Read-McpSkill #2' = 'the fixture has no skills server (the conformance sep-2640 client scenarios and SkillTests cover it)'
        'Read-McpSkill #3' = 'the fixture has no skills server (the conformance sep-2640 client scenarios and SkillTests cover it)'
        'Get-McpToken #1'          = 'sends the token to https://mcp.example.com/api/usage, an API the fixture does not have'
        'Get-McpToken #2'          = 'steps up to admin:write, which needs a person to consent'
        'Get-McpToken #3'          = 'sends the token to https://mcp.example.com/api/usage, an API the fixture does not have'
        'Update-McpCredential #2'  = 'steps up to repo:write, which needs a person to consent'
        'Update-McpCredential #3'  = 'asks the fixture for the scope deploy, which it does not offer'
        'Update-McpCredential #4'  = 'reads a client secret with Get-Secret (SecretManagement, not installed here)'
        'Get-McpCredential #4'     = 'points the store at /var/lib/buildagent/mcpauth, a build agent folder'
        'README: ./build.ps1'                = 'builds the solution: .ci/setup does that before every run'
        'README: ./build.ps1 -Task Test'     = 'runs every suite, this one included: .ci/test does that'
        'README: ./build.ps1 -Task Pester'   = 'runs the Pester suites, this one included: .ci/test does that'
        'README: ./build.ps1 -Task Package'  = 'a Release build and a zip: covered by the version test below, not worth a second build here'
    }

    function Convert-Example([string] $Code) {
        $Code -replace 'https://mcp\.(staging\.)?example\.com/mcp', $fixture.Mcp
    }

    function Initialize-DocSession {
        foreach ($key in $storeEnvironment.Keys) { Set-Item "Env:$key" $storeEnvironment[$key] }
        Get-McpServer | Disconnect-McpServer
        # A stored credential for the fixture, so that examples sign in from the store, not in a browser.
        Connect-McpServer $fixture.Mcp -AuthorizationHandler $AutoConsent -WarningAction SilentlyContinue | Out-Null
    }

    function Invoke-Example([string] $Code) {
        $uri = $fixture.Mcp
        $approve = $AutoConsent
        $ConfirmPreference = 'None'    # examples of ConfirmImpact High cmdlets answer "yes" here
        $WarningPreference = 'SilentlyContinue'
        $ErrorActionPreference = 'Stop'
        Push-Location (Split-Path $PSScriptRoot)
        try { & ([scriptblock]::Create((Convert-Example $Code))) | Out-String | Out-Null }
        finally { Pop-Location }
    }

    function Invoke-PesterExample([string] $Code) {
        $environment = $storeEnvironment.Clone()
        $environment['PSModulePath'] = Join-Path (Split-Path $PSScriptRoot) 'out/test-modules'
        $block = "param(`$uri)`n" + (Convert-Example $Code)
        $run = Invoke-Pwsh -NonInteractive -Environment $environment -Script @"
Import-Module Pester -MinimumVersion 5.0
`$container = New-PesterContainer -ScriptBlock ([scriptblock]::Create(@'
$($block.Replace("'@", "' @"))
'@)) -Data @{ uri = '$($fixture.Mcp)' }
`$r = Invoke-Pester -Container `$container -PassThru -Output None -WarningAction SilentlyContinue
'RESULT ' + `$r.Result + ' ' + `$r.PassedCount + ' ' + `$r.FailedCount
`$r.Failed | ForEach-Object { 'FAILED ' + `$_.ExpandedName + ': ' + `$_.ErrorRecord }
"@
        $run.Output | Should -Match 'RESULT Passed [1-9]\d* 0' -Because ($run.Output + $run.Error)
    }
}

AfterAll {
    Stop-McpFixture $fixture
    Remove-Item -LiteralPath $storeDir -Recurse -Force -ErrorAction Ignore
    foreach ($key in 'MCPAUTH_STORE_DIR', 'MCPAUTH_ALLOW_PLAINTEXT_STORAGE') { Remove-Item "Env:$key" -ErrorAction Ignore }
}

Describe 'Help examples' {
    BeforeEach { Initialize-DocSession }

    It '<Id> runs against the fixture' -ForEach $examples {
        if ($NotHere.ContainsKey($Id)) {
            # Not runnable on this machine: it must at least parse, and the reason is recorded above.
            $null = [scriptblock]::Create($Code)
            return
        }
        if ($Code -match '(?m)^\s*Describe ') { Invoke-PesterExample $Code }
        else { { Invoke-Example $Code } | Should -Not -Throw }
    }
}

Describe 'README command lines' {
    BeforeEach { Initialize-DocSession }

    It '<Id> runs against the fixture' -ForEach $readmeLines {
        if ($NotHere.ContainsKey($Id)) { $null = [scriptblock]::Create($Code); return }
        if ($Code -match '(?m)^\s*Describe ') { Invoke-PesterExample $Code }
        else { { Invoke-Example $Code } | Should -Not -Throw }
    }
}

Describe 'The list of examples that cannot run here' {
    It 'names only examples that exist' -TestCases @{ Ids = @($examples.Id) + @($readmeLines.Id) } {
        $ids = $Ids
        foreach ($id in $NotHere.Keys) { $ids | Should -Contain $id }
    }
}

Describe 'One version source' {
    It 'the built manifest carries the version of Directory.Build.props, and the source manifest only a placeholder' {
        [xml] $props = Get-Content (Join-Path $PSScriptRoot '../Directory.Build.props') -Raw
        $version = ($props.Project.PropertyGroup | Where-Object { $_.ModuleVersion }).ModuleVersion
        $version | Should -Match '^\d+\.\d+\.\d+$'
        (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../out/McpAuth/McpAuth.psd1')).ModuleVersion | Should -Be $version
        (Get-Module McpAuth).Version | Should -Be ([version] $version)
        (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../McpAuth.psd1')).ModuleVersion | Should -Be '0.0.0'
        [Reflection.AssemblyName]::GetAssemblyName((Join-Path $PSScriptRoot '../out/McpAuth/McpAuth.dll')).Version.ToString(3) | Should -Be $version
    }
}
