<#
.SYNOPSIS
    Builds, tests and packages the McpAuth module.
.DESCRIPTION
    Build   : dotnet build; lays out an importable module under out/McpAuth (manifest, assemblies,
              formats, help).
    Test    : Build, then the xunit suites (engine + hosted PowerShell, against the real fixture in
              tests/fixture, which needs Node.js and `npm ci`), then the Pester suites under tests/
              when Pester 5 is installed.
    Package : Build in Release, then a versioned copy of the module and a zip under out/package.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot
$module = Join-Path $root 'out/McpAuth'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    Write-Verbose "$File $($Arguments -join ' ')"
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $root 'McpAuth.sln'), '-c', $Configuration, '-nologo')
    Write-Host "Module laid out in $module. Import it with: Import-Module '$module/McpAuth.psd1'"
}

function Invoke-Test {
    Invoke-Build
    foreach ($dir in 'tests/fixture', 'tests/conformance') {
        $path = Join-Path $root $dir
        if ((Test-Path (Join-Path $path 'package-lock.json')) -and -not (Test-Path (Join-Path $path 'node_modules'))) {
            Push-Location $path
            try { Invoke-Native npm @('ci', '--no-audit', '--no-fund') } finally { Pop-Location }
        }
    }

    foreach ($project in 'tests/McpAuth.Core.Tests', 'tests/McpAuth.PowerShell.Tests') {
        Invoke-Native dotnet @('test', (Join-Path $root $project), '-c', $Configuration, '--no-build', '-nologo')
    }

    $pester = Get-Module -ListAvailable Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if ($pester) {
        Import-Module $pester -Force
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $root 'tests'
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $result = Invoke-Pester -Configuration $config
        if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester tests failed." }
    }
    else {
        Write-Warning 'Pester 5 is not installed, so the Pester suites were skipped. Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser'
    }
}

function Invoke-Package {
    $script:Configuration = 'Release'
    Invoke-Build
    $version = (Import-PowerShellDataFile (Join-Path $root 'McpAuth.psd1')).ModuleVersion
    $target = Join-Path $root "out/package/McpAuth/$version"
    if (Test-Path $target) { Remove-Item $target -Recurse -Force }
    New-Item -ItemType Directory -Path $target -Force | Out-Null
    Copy-Item -Path (Join-Path $module '*') -Destination $target -Recurse
    $zip = Join-Path $root "out/package/McpAuth-$version.zip"
    if (Test-Path $zip) { Remove-Item $zip -Force }
    Compress-Archive -Path (Join-Path $root 'out/package/McpAuth') -DestinationPath $zip
    Write-Host "Packaged $target and $zip"
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
}
