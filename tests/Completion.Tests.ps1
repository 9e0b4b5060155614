#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Tab completion (same behaviour as CompletionTests.cs).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
    Connect-McpServer $fixture.Public | Out-Null
    function Complete([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }
}
AfterAll { Stop-McpFixture $fixture }

Describe 'Tab completion' {
    It 'completes the URI of a live connection' {
        Complete 'Invoke-McpTool -Uri http://127.0.0.1' | Should -Contain $fixture.Public
    }

    It 'completes tool names from tools/list' {
        Complete "Invoke-McpTool -Uri $($fixture.Public) -Name ec" | Should -Contain 'echo'
    }

    It 'completes an argument hashtable from the input schema' {
        (Complete "Invoke-McpTool -Uri $($fixture.Public) -Name add -Arguments ") -join "`n" | Should -Match 'a = 0'
    }

    It 'offers nothing and never throws for a server without a connection' {
        { Complete 'Invoke-McpTool -Uri http://127.0.0.1:9/mcp -Name ' } | Should -Not -Throw
    }
}
