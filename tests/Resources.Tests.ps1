#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Resources, prompts and rich tool content (same behaviour as ResourceCmdletTests.cs), against the fixture's
# legacy (SDK 1.x) and modern (SDK 2.x) public servers: Get-McpResource, Read-McpResource, Watch-McpResource,
# Get-McpPrompt, Get-McpPromptMessage, Save-McpContent and the images Invoke-McpTool returns.
BeforeDiscovery {
    $eras = @(
        @{ Era = 'legacy'; Path = 'public/mcp' }
        @{ Era = 'modern'; Path = 'modern/public/mcp' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-McpAuthForTest
    $fixture = Start-McpFixture
    $origin = ([uri] $fixture.Mcp).GetLeftPart([System.UriPartial]::Authority)
    $status = 'file:///project/status.txt'

    # The exact bytes the fixture serves, to compare saved files with.
    function Get-FixtureBytes([string] $Name) {
        $client = [System.Net.Http.HttpClient]::new()
        try { $client.GetByteArrayAsync("$($fixture.Admin)/files/$Name").GetAwaiter().GetResult() }
        finally { $client.Dispose() }
    }

    # How many subscriptions the fixture holds open for an era.
    function Get-OpenSubscriptions([string] $Era) {
        $open = Invoke-RestMethod -Uri "$($fixture.Admin)/subscriptions"
        if ($Era -eq 'modern') { return [int] $open.modern }
        [int] (@($open.legacy.PSObject.Properties.Value) | Measure-Object -Sum).Sum
    }

    function Wait-Until([scriptblock] $Condition, [int] $TimeoutSec = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ([DateTime]::UtcNow -lt $deadline) {
            if (& $Condition) { return $true }
            Start-Sleep -Milliseconds 100
        }
        $false
    }

    function Send-Touch {
        Invoke-RestMethod -Method Post -Uri "$($fixture.Admin)/resources/touch" -ContentType 'application/json' -Body (@{ uri = $status } | ConvertTo-Json)
    }
}

AfterAll { Stop-McpFixture $fixture }

Describe 'Resources on a <Era> server' -ForEach $eras {
    BeforeAll {
        $u = "$origin/$Path"
        $dir = Join-Path ([IO.Path]::GetTempPath()) ("mcpauth-resources-{0}" -f [guid]::NewGuid().ToString('N'))
    }
    AfterAll { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore }

    It 'lists every page of resources, with wildcards on names and URIs' {
        (Get-McpResource $u).Name | Should -Be @('README.md', 'logo.png', 'status.txt', 'data.bin', 'welcome.txt')
        (Get-McpResource $u '*.txt').Name | Should -Be @('status.txt', 'welcome.txt')
        (Get-McpResource $u -ResourceUri 'file:///project/*.png').Name | Should -Be 'logo.png'
    }

    It 'reads text as a string and a blob as its bytes' {
        Read-McpResource $u -ResourceUri file:///project/README.md | Should -BeLike '# Fixture project*'
        $bytes = Read-McpResource $u -ResourceUri file:///project/logo.png
        $bytes.GetType() | Should -Be ([byte[]])
        [Convert]::ToBase64String($bytes) | Should -Be ([Convert]::ToBase64String((Get-FixtureBytes 'logo.png')))
    }

    It 'writes resources from the pipeline to files whose bytes match' {
        $files = Get-McpResource $u -Name logo.png, data.bin | Read-McpResource -OutDirectory $dir
        $files.Name | Should -Be @('logo.png', 'data.bin')
        [Convert]::ToBase64String([IO.File]::ReadAllBytes((Join-Path $dir 'logo.png'))) | Should -Be ([Convert]::ToBase64String((Get-FixtureBytes 'logo.png')))
        [Convert]::ToBase64String([IO.File]::ReadAllBytes((Join-Path $dir 'data.bin'))) | Should -Be ([Convert]::ToBase64String((Get-FixtureBytes 'data.bin')))
        (Read-McpResource $u -ResourceUri file:///project/README.md -OutFile (Join-Path $dir 'readme-copy.md')).Name | Should -Be 'readme-copy.md'
        Get-Content -Raw (Join-Path $dir 'readme-copy.md') | Should -BeLike '# Fixture project*'
    }

    It 'lists templates and reads one with its arguments' {
        (Get-McpResource $u -Template).Name | Should -Be @('note', 'monthly-report')
        Get-McpResource $u -Template -Name monthly-report | Read-McpResource -Arguments @{ year = 2026; month = 7 } |
            ConvertFrom-Csv | ForEach-Object total | Should -Be '42'
    }

    It 'reports a missing resource, a 100 MiB blob and a broken blob as typed errors, and goes on' {
        $out = @(
            Read-McpResource $u -ResourceUri file:///project/no-such-file.txt -ErrorVariable +failures -ErrorAction SilentlyContinue
            Read-McpResource $u -ResourceUri file:///project/huge.bin -ErrorVariable +failures -ErrorAction SilentlyContinue
            Read-McpResource $u -ResourceUri file:///project/broken.bin -ErrorVariable +failures -ErrorAction SilentlyContinue
            'after'
        )
        $out | Should -Be 'after'
        $failures.FullyQualifiedErrorId | Should -Be @(
            'ResourceNotFound,McpAuth.Commands.ReadMcpResourceCommand'
            'ResponseTooLarge,McpAuth.Commands.ReadMcpResourceCommand'
            'MalformedContent,McpAuth.Commands.ReadMcpResourceCommand')
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        { Get-McpResource $u -ResourceUri 'file:///nope' -ErrorAction Stop } | Should -Throw -ErrorId 'ResourceNotFound,McpAuth.Commands.GetMcpResourceCommand'
    }
}

Describe 'Prompts on a <Era> server' -ForEach $eras {
    BeforeAll { $u = "$origin/$Path" }

    It 'lists prompts with their arguments' {
        (Get-McpPrompt -Uri $u).Name | Should -Be @('greeting', 'review_readme')
        $greeting = Get-McpPrompt -Uri $u greeting
        $greeting.Arguments.Name | Should -Be @('name', 'style')
        $greeting.Arguments.Required | Should -Be @($true, $false)
    }

    It 'gets a prompt''s messages with arguments, from the pipeline too' {
        $message = Get-McpPromptMessage -Uri $u greeting @{ name = 'Ada' }
        $message.Role | Should -Be 'user'
        $message.Text | Should -Be 'Please greet Ada in a friendly way.'
        (Get-McpPrompt -Uri $u review_readme | Get-McpPromptMessage).Type | Should -Be @('text', 'resource', 'image', 'text')
    }

    It 'reports an unknown prompt as PromptNotFound and a missing argument as InvalidParams' {
        { Get-McpPromptMessage -Uri $u no_such_prompt -ErrorAction Stop } | Should -Throw -ErrorId 'PromptNotFound,McpAuth.Commands.GetMcpPromptMessageCommand'
        { Get-McpPromptMessage -Uri $u greeting -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidParams,McpAuth.Commands.GetMcpPromptMessageCommand'
        { Get-McpPrompt -Uri $u nothing -ErrorAction Stop } | Should -Throw -ErrorId 'PromptNotFound,McpAuth.Commands.GetMcpPromptCommand'
    }
}

Describe 'Rich tool content on a <Era> server' -ForEach $eras {
    BeforeAll {
        $u = "$origin/$Path"
        $dir = Join-Path ([IO.Path]::GetTempPath()) ("mcpauth-content-{0}" -f [guid]::NewGuid().ToString('N'))
        $png = [Convert]::ToBase64String((Get-FixtureBytes 'logo.png'))
    }
    AfterAll { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore }

    It 'returns an image as bytes and a MIME type, and shows its size instead of base64' {
        $image = Invoke-McpTool -Uri $u image
        $image | Should -BeOfType ([McpAuth.McpImageContent])
        $image.MimeType | Should -Be 'image/png'
        [Convert]::ToBase64String($image.Bytes) | Should -Be $png
        # The table and list views (real pwsh: the hosted engine tests have no Format-* cmdlets).
        $shown = ($image | Format-Table | Out-String) + ($image | Format-List | Out-String)
        $shown | Should -Not -Match ([regex]::Escape($png.Substring(0, 24)))
        $shown | Should -Match "$($image.Size)"
    }

    It 'saves the image to a file whose bytes match, with -OutDirectory and with Save-McpContent' {
        (Invoke-McpTool -Uri $u image -OutDirectory $dir).Name | Should -Be 'image-1.png'
        [Convert]::ToBase64String([IO.File]::ReadAllBytes((Join-Path $dir 'image-1.png'))) | Should -Be $png
        (Invoke-McpTool -Uri $u image | Save-McpContent -Path (Join-Path $dir 'saved.png')).Name | Should -Be 'saved.png'
        [Convert]::ToBase64String([IO.File]::ReadAllBytes((Join-Path $dir 'saved.png'))) | Should -Be $png
        (Invoke-McpTool -Uri $u audio | Save-McpContent $dir).Name | Should -Be 'audio-1.wav'
        [Convert]::ToBase64String([IO.File]::ReadAllBytes((Join-Path $dir 'audio-1.wav'))) | Should -Be ([Convert]::ToBase64String((Get-FixtureBytes 'sound.wav')))
    }

    It 'pipes the resource links and embedded resources a tool returns to Read-McpResource' {
        $links = Invoke-McpTool -Uri $u links | Where-Object { $_ -is [McpAuth.McpResourceLink] }
        $links.ResourceUri | Should -Be @('file:///project/README.md', 'file:///project/logo.png')
        $read = $links | Read-McpResource
        $read[0] | Should -BeLike '# Fixture project*'
        [Convert]::ToBase64String($read[1]) | Should -Be $png
        $embedded = Invoke-McpTool -Uri $u links | Where-Object { $_ -is [McpAuth.McpResourceContents] }
        ($embedded | Read-McpResource -Raw).ResourceUri | Should -Be @('file:///project/notes/welcome.txt', 'file:///project/data.bin')
    }

    It 'saves the embedded resources and skips the links with a warning' {
        $saved = Invoke-McpTool -Uri $u links | Save-McpContent -OutDirectory $dir -WarningVariable skipped -WarningAction SilentlyContinue
        $saved.Name | Should -Be @('welcome.txt', 'data.bin')
        $skipped.Count | Should -Be 2
        [Convert]::ToBase64String([IO.File]::ReadAllBytes((Join-Path $dir 'data.bin'))) | Should -Be ([Convert]::ToBase64String((Get-FixtureBytes 'data.bin')))
    }

    It 'reports a malformed content block as MalformedContent and still returns the other blocks' {
        $out = Invoke-McpTool -Uri $u malformed -ErrorVariable failures -ErrorAction SilentlyContinue
        $out | Should -Be 'before the broken block'
        $failures.FullyQualifiedErrorId | Should -Be 'MalformedContent,McpAuth.Commands.InvokeMcpToolCommand'
    }
}

Describe 'Watch-McpResource on a <Era> server' -ForEach $eras {
    BeforeAll { $u = "$origin/$Path" }

    It 'writes the one change, which pipes to Read-McpResource, until stopped (Ctrl+C), and releases the server' {
        # The pipeline of the help example, in a second runspace of this process, stopped as Ctrl+C stops it.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($u, $r, $manifest) Import-Module $manifest; Watch-McpResource $u -ResourceUri $r | Read-McpResource').
                AddArgument($u).AddArgument($status).AddArgument((Join-Path $PSScriptRoot '../out/McpAuth/McpAuth.psd1'))
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $pending = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]] $null, $output)
            Wait-Until { (Get-OpenSubscriptions $Era) -eq 1 } | Should -BeTrue -Because 'the subscription reaches the server'
            $revision = (Send-Touch).revision
            Wait-Until { $output.Count -ge 1 } | Should -BeTrue -Because 'the change comes out'
            $output[0] | Should -Be "revision $revision`n"
            $ps.Stop()
            $pending.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(10)) | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Wait-Until { (Get-OpenSubscriptions $Era) -eq 0 } 10 | Should -BeTrue -Because 'the server no longer holds the subscription'
            $output.Count | Should -Be 1
        }
        finally { $ps.Dispose() }
    }

    It 'raises a PowerShell event per change with -SourceIdentifier until Unregister-Event' {
        $watch = Watch-McpResource $u -ResourceUri $status -SourceIdentifier "Status-$Era"
        try {
            $watch.State | Should -Be 'Running'
            Get-OpenSubscriptions $Era | Should -Be 1
            Send-Touch | Out-Null
            $change = Wait-Event -SourceIdentifier "Status-$Era" -Timeout 30
            $change | Should -Not -BeNullOrEmpty
            $change.SourceEventArgs.ResourceUri | Should -Be $status
            $change | Remove-Event
        }
        finally { Unregister-Event -SourceIdentifier "Status-$Era" -ErrorAction SilentlyContinue }
        Wait-Until { $watch.State -eq 'Stopped' } 10 | Should -BeTrue
        Wait-Until { (Get-OpenSubscriptions $Era) -eq 0 } 10 | Should -BeTrue
    }
}

Describe 'Completion for resources and prompts' {
    BeforeAll {
        $u = "$origin/public/mcp"
        Connect-McpServer $u | Out-Null
        function Complete([string] $Line) {
            (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
        }
    }

    It 'completes resource URIs, resource names and prompt names from the server' {
        Complete "Read-McpResource $u -ResourceUri file:///project/READ" | Should -Be 'file:///project/README.md'
        Complete "Get-McpResource $u -Name st" | Should -Be 'status.txt'
        Complete "Get-McpPromptMessage -Uri $u -Name gr" | Should -Be 'greeting'
    }
}
