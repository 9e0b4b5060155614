<#
  Counts test results from the structured files .ci/test collects, never from console text:
  xunit TRX files (*.trx: one UnitTestResult per test case, by outcome) and Pester NUnit XML
  (*.nunit.xml: one test-case per It, by result). Prints "passed failed skipped".
    .ci/count-results.ps1 <directory>
#>
param([Parameter(Mandatory)] [string] $Directory)
$ErrorActionPreference = 'Stop'
$passed = 0; $failed = 0; $skipped = 0

foreach ($file in Get-ChildItem -Path $Directory -Filter '*.trx' -File) {
    [xml] $trx = Get-Content -Raw -LiteralPath $file.FullName
    foreach ($result in @($trx.TestRun.Results.UnitTestResult)) {
        switch ($result.outcome) {
            'Passed' { $passed++ }
            'NotExecuted' { $skipped++ }
            default { $failed++ }
        }
    }
}

foreach ($file in Get-ChildItem -Path $Directory -Filter '*.nunit.xml' -File) {
    [xml] $nunit = Get-Content -Raw -LiteralPath $file.FullName
    foreach ($case in @($nunit.SelectNodes('//test-case'))) {
        switch ($case.result) {
            'Success' { $passed++ }
            { $_ -in 'Ignored', 'Skipped', 'NotRunnable', 'Inconclusive' } { $skipped++ }
            default { $failed++ }
        }
    }
}

"$passed $failed $skipped"
