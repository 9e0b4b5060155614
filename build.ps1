<#
.SYNOPSIS
    Builds, tests and packages the McpAuth module.
.DESCRIPTION
    Build   : dotnet build; lays out an importable module under out/McpAuth (manifest, assemblies,
              formats, help).
    Test    : Build, then the xunit suites (engine + hosted PowerShell, against the real fixture in
              tests/fixture, which needs Node.js and `npm ci`), then the Pester suites.
    Pester  : The Pester 5 suites (tests/*.Tests.ps1) against the built module. Pester comes from NuGet:
              the build restores it into out/test-modules (tests/TestModules), which is put on
              PSModulePath for this run only. No gallery, no Install-Module. -ResultPath writes the
              results as NUnit XML (what .ci/test counts).
    Package : Build in Release, then a versioned copy of the module and a zip under out/package. The
              version is the one the build stamped into out/McpAuth/McpAuth.psd1 from Directory.Build.props.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Pester -ResultPath out/test-results/pester.nunit.xml
.EXAMPLE
    ./build.ps1 -Task Pester -TestPath tests/Test-McpServer.Tests.ps1
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',

    # Where -Task Pester writes its results (NUnit XML); none when empty.
    [string] $ResultPath = '',

    # Which Pester suites -Task Pester runs (files or folders); all of tests/ when empty.
    [string[]] $TestPath = @()
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
    param([string[]] $MSBuildArguments = @())
    Invoke-Native dotnet (@('build', (Join-Path $root 'McpAuth.sln'), '-c', $Configuration, '-nologo') + $MSBuildArguments)
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

    Invoke-Pester5
}

function Invoke-Pester5 {
    # Pester from NuGet (tests/TestModules lays it out under out/test-modules), never from the gallery.
    $modules = Join-Path $root 'out/test-modules'
    if (-not (Test-Path (Join-Path $modules 'Pester'))) {
        Invoke-Native dotnet @('build', (Join-Path $root 'tests/TestModules/TestModules.csproj'), '-nologo', '-v', 'quiet')
    }
    $env:PSModulePath = $modules + [IO.Path]::PathSeparator + $env:PSModulePath
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.ModuleBase.StartsWith($modules) } | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester -or $pester.Version.Major -ne 5) { throw "Pester 5 was not restored under $modules." }
    Import-Module $pester -Force

    $config = New-PesterConfiguration
    $config.Run.Path = if ($TestPath) { $TestPath | ForEach-Object { [IO.Path]::GetFullPath($_) } } else { Join-Path $root 'tests' }
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Normal'
    if ($ResultPath) {
        $full = [IO.Path]::GetFullPath([IO.Path]::Combine((Get-Location).Path, $ResultPath))
        New-Item -ItemType Directory -Path (Split-Path $full) -Force | Out-Null
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = $full
    }
    # The suites are written for PowerShell's defaults, not for this script's strict mode.
    Set-StrictMode -Off
    $result = Invoke-Pester -Configuration $config
    Write-Host "Pester $($pester.Version) in PowerShell $($PSVersionTable.PSVersion): $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
    if ($result.FailedCount -gt 0 -or $result.Result -ne 'Passed') { throw "Pester: $($result.FailedCount) tests failed ($($result.Result))." }
}

# The platforms a package carries the precompiled engine for (dependencies/<rid>/, used by PowerShell 7.6 and
# later); anywhere else, and in Windows PowerShell 5.1, the module runs the same engine from its IL.
$packagePlatforms = 'win-x64', 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64'

function Invoke-Package {
    $script:Configuration = 'Release'
    Invoke-Build -MSBuildArguments @("-p:McpAuthReadyToRun=$($packagePlatforms -join '%2C')")
    $version = (Import-PowerShellDataFile (Join-Path $module 'McpAuth.psd1')).ModuleVersion
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
    'Pester' { Invoke-Pester5 }
    'Package' { Invoke-Package }
}
