#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
}
AfterAll { Stop-McpFixture $fixture }

Describe 'Get-McpTool' {
    It 'follows every page of tools/list' {
        $tools = Get-McpTool -Uri $fixture.Public
        $tools.Count | Should -BeGreaterOrEqual 20
        ($tools.Name | Sort-Object -Unique).Count | Should -Be $tools.Count
        $tools.Name | Should -Contain 't12'
    }

    It 'filters by wildcard and reports a missing exact name' {
        $tools = Get-McpTool -Uri $fixture.Public -Name 'ec*', 'nosuchtool' -ErrorVariable err -ErrorAction SilentlyContinue
        $tools.Name | Should -Be 'echo'
        $err[0].FullyQualifiedErrorId | Should -Be 'ToolNotFound,McpAuth.Commands.GetMcpToolCommand'
    }

    It 'describes each tool''s arguments' {
        $add = Get-McpTool -Uri $fixture.Public -Name add
        $add.Parameters | Should -Be @('a', 'b')
        $add.InputSchema.type | Should -Be 'object'
    }

    It 'pipes into Invoke-McpTool by property name' {
        Get-McpTool -Uri $fixture.Public -Name echo | Invoke-McpTool -Arguments @{ message = 'piped' } | Should -Be 'piped'
    }
}
