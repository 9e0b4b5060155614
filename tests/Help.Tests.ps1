#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Help for every cmdlet (same checks as HelpTests.cs).
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $cmdlets = (Get-Command -Module McpAuth).Name
}
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Help for <_>' -ForEach $cmdlets {
    BeforeAll {
        $name = $_
        $help = Get-Help $name -Full
        $command = Get-Command $name
    }

    It 'has a written synopsis and description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$name "
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples that parse' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.Examples.Example) {
            $errors = $null
            [System.Management.Automation.Language.Parser]::ParseInput(($example.Code -join "`n"), [ref] $null, [ref] $errors) | Out-Null
            $errors | Should -BeNullOrEmpty
        }
    }

    It 'describes every parameter' {
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common -or $_ -in 'WhatIf', 'Confirm' }) {
            $entry = $help.Parameters.Parameter | Where-Object Name -eq $parameter
            ($entry.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$parameter needs help"
        }
    }
}

Describe 'about_McpAuth' {
    It 'is found by Get-Help' {
        (Get-Help about_McpAuth | Out-String) | Should -Match 'McpAuth'
    }
}
