#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
}
AfterAll { Stop-McpFixture $fixture }

Describe 'Invoke-McpTool' {
    It 'returns the echo through a pipeline from Connect-McpServer (<Kind>)' -TestCases @(
        @{ Kind = 'SSE'; Url = 'Public' }
        @{ Kind = 'JSON'; Url = 'PublicJson' }
    ) {
        Connect-McpServer $fixture.$Url | Invoke-McpTool echo @{ message = 'hi' } | Should -Be 'hi'
    }

    It 'takes arguments as an object with properties' {
        Invoke-McpTool -Uri $fixture.Public echo ([pscustomobject]@{ message = 'from object' }) | Should -Be 'from object'
    }

    It 'returns structured content as an object' {
        (Invoke-McpTool -Uri $fixture.Public add @{ a = 2; b = 40 }).sum | Should -Be 42
    }

    It 'turns an isError result into a non-terminating ToolError' {
        $out = Invoke-McpTool -Uri $fixture.Public fail -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ToolError,McpAuth.Commands.InvokeMcpToolCommand'
        $err[0].Exception.Message | Should -Match 'the tool failed on purpose'
    }

    It 'returns the whole result with -Raw' {
        $r = Invoke-McpTool -Uri $fixture.Public fail -Raw
        $r.IsError | Should -BeTrue
        $r.Text | Should -Match 'failed on purpose'
    }

    It 'reports an unknown tool as InvalidParams' {
        { Invoke-McpTool -Uri $fixture.Public no-such-tool -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidParams,McpAuth.Commands.InvokeMcpToolCommand'
    }

    It 'refuses arguments that are not an object' {
        { Invoke-McpTool -Uri $fixture.Public echo 42 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidToolArguments,McpAuth.Commands.InvokeMcpToolCommand'
    }

    It 'costs one HTTP request when the session is warm' {
        Invoke-McpTool -Uri $fixture.PublicJson echo @{ message = 'warm' } | Out-Null
        Invoke-RestMethod -Method Post -Uri "$($fixture.Admin)/requests/clear" | Out-Null
        Invoke-McpTool -Uri $fixture.PublicJson echo @{ message = 'again' } | Out-Null
        @(Get-FixtureRequests $fixture).Count | Should -Be 1
    }

    It 'asks the server for progress only when Write-Progress would show it (<Case>)' -TestCases @(
        @{ Case = '$ProgressPreference Continue'; Preference = 'Continue'; Extra = @{}; Asks = $true }
        @{ Case = '$ProgressPreference SilentlyContinue'; Preference = 'SilentlyContinue'; Extra = @{}; Asks = $false }
        # -ProgressAction is a common parameter from PowerShell 7.4 on (not in Windows PowerShell 5.1).
        if ($PSVersionTable.PSVersion -ge [version] '7.4') {
            @{ Case = '-ProgressAction Ignore'; Preference = 'Continue'; Extra = @{ ProgressAction = 'Ignore' }; Asks = $false }
        }
    ) {
        $ProgressPreference = $Preference
        Invoke-McpTool -Uri $fixture.Public progress @{ steps = 2 } @Extra | Should -Be 'done'
        $call = @(Get-FixtureRequests $fixture | Where-Object rpcMethod -eq 'tools/call')[-1]
        $call.metaProgressToken | Should -Be $Asks
    }

    It 're-initializes transparently when the server forgot the session' {
        $before = (Connect-McpServer $fixture.Public -Force).SessionId
        Invoke-RestMethod -Method Post -Uri "$($fixture.Admin)/drop-sessions" | Out-Null
        Invoke-McpTool -Uri $fixture.Public echo @{ message = 'still here' } | Should -Be 'still here'
        (Get-McpServer -Name $fixture.Public).SessionId | Should -Not -Be $before
    }

    It 'declines elicitation when the session is not interactive' {
        $env:MCPAUTH_NONINTERACTIVE = '1'
        try {
            $answer = Invoke-McpTool -Uri $fixture.Public elicit -WarningVariable warn -WarningAction SilentlyContinue | ConvertFrom-Json
            $answer.action | Should -Be 'decline'
            $warn | Should -Not -BeNullOrEmpty
        }
        finally { Remove-Item Env:MCPAUTH_NONINTERACTIVE }
    }
}
