# The main job: connect to an MCP server and call a tool, as a PowerShell user would.
# .ci/demo runs it against the bundled fixture; with pwsh: ./tests/demo/Demo.ps1 <oauth-url> <public-url>
param(
    [Parameter(Mandatory)] [Uri] $OAuthServer,
    [Parameter(Mandatory)] [Uri] $PublicServer
)
$ErrorActionPreference = 'Stop'

"== A server without sign-in: $PublicServer"
$public = Connect-McpServer $PublicServer
"connected to '$($public.Name)' (MCP $($public.ProtocolVersion))"
"tools: " + ((Get-McpTool -Connection $public | ForEach-Object Name) -join ', ')
$public | Invoke-McpTool echo @{ message = 'hello from McpAuth' }
