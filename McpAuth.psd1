# The source of the module manifest. The version lives only in Directory.Build.props (ModuleVersion): the
# build writes it over the placeholder below into out/McpAuth/McpAuth.psd1, the manifest you import.
@{
    RootModule             = 'McpAuth.dll'
    ModuleVersion          = '0.0.0'
    CompatiblePSEditions   = @('Desktop', 'Core')
    GUID                   = '5b0f3c8e-2d7a-4c61-9f3e-8a1d6c4b7e20'
    Author                 = 'McpAuth developers'
    CompanyName            = 'McpAuth'
    Copyright              = '(c) McpAuth developers. MIT License.'
    Description            = 'Use remote MCP servers protected by OAuth: call tools, read and watch resources, get prompts; discovery, sign-in with PKCE, keychain storage, refresh and step-up, and the MCP streamable HTTP transport.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('McpAuth.format.ps1xml')
    CmdletsToExport        = @(
        'Connect-McpServer'
        'Disconnect-McpServer'
        'Get-McpServer'
        'Get-McpTool'
        'Invoke-McpTool'
        'Get-McpResource'
        'Read-McpResource'
        'Watch-McpResource'
        'Get-McpPrompt'
        'Get-McpPromptMessage'
        'Get-McpSkill'
        'Read-McpSkill'
        'Save-McpContent'
        'Get-McpToken'
        'Update-McpCredential'
        'Get-McpCredential'
        'Remove-McpCredential'
        'Reset-McpCredentialStore'
        'Test-McpServer'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags       = @('MCP', 'OAuth', 'ModelContextProtocol', 'PKCE', 'Authentication', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
