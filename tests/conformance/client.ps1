<#
  The McpAuth client the MCP conformance suite drives (through ./client, in real pwsh).

    client.ps1 <server-url>

  MCP_CONFORMANCE_SCENARIO names the scenario; MCP_CONFORMANCE_CONTEXT (JSON) carries client ids,
  secrets and keys for the scenarios that need them. Every scenario runs the same flow with the
  module's cmdlets: Connect-McpServer (signing in through -AuthorizationHandler when the server asks
  for it), Get-McpTool, then Invoke-McpTool on each tool with arguments made from its input schema.
  Scenarios differ only in the sign-in parameters passed to Connect-McpServer.

  Written for the engine's core cmdlets only (it once ran in a minimal host): logging goes to stderr
  through [Console]::Error, JSON is read with System.Text.Json. Any failure throws, so the process exits
  non-zero.
#>
param(
    [Parameter(Mandatory = $true)]
    [string] $ServerUrl
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
if (-not (Get-Module McpAuth)) {
    Import-Module (Join-Path $PSScriptRoot '../../out/McpAuth/McpAuth.psd1')
}

$scenario = [Environment]::GetEnvironmentVariable('MCP_CONFORMANCE_SCENARIO')
if ([string]::IsNullOrEmpty($scenario)) { $scenario = '(none)' }

function Write-Log([string] $Message) {
    [Console]::Error.WriteLine("client.ps1: $Message")
}

# Sort-Object is not among the core cmdlets either.
function Join-Sorted($Items, [string] $Separator = ', ') {
    $list = [System.Collections.Generic.List[string]]::new()
    foreach ($item in $Items) { $list.Add([string] $item) }
    $list.Sort([StringComparer]::Ordinal)
    return $list -join $Separator
}

# ---- scenario context -------------------------------------------------------------------------------

# Reads MCP_CONFORMANCE_CONTEXT into a hashtable of string values (no secret is ever logged).
function Read-Context {
    $context = @{}
    $json = [Environment]::GetEnvironmentVariable('MCP_CONFORMANCE_CONTEXT')
    if ([string]::IsNullOrEmpty($json)) { return $context }
    $document = [System.Text.Json.JsonDocument]::Parse($json)
    try {
        foreach ($property in $document.RootElement.EnumerateObject()) {
            if ($property.Value.ValueKind -eq [System.Text.Json.JsonValueKind]::String) {
                $context[$property.Name] = $property.Value.GetString()
            }
            else {
                $context[$property.Name] = $property.Value.GetRawText()
            }
        }
    }
    finally {
        $document.Dispose()
    }
    Write-Log "context keys: $(Join-Sorted $context.Keys)"
    return $context
}

function Get-ContextValue([hashtable] $Context, [string] $Key) {
    if (-not $Context.ContainsKey($Key) -or [string]::IsNullOrEmpty($Context[$Key])) {
        throw "Scenario '$scenario' gave no '$Key' in MCP_CONFORMANCE_CONTEXT."
    }
    return $Context[$Key]
}

function ConvertTo-Secure([string] $Text) {
    # ConvertTo-SecureString is not among the engine's core cmdlets.
    return [System.Net.NetworkCredential]::new('', $Text).SecurePassword
}

# ---- headless sign-in ----------------------------------------------------------------------------------

# The suite's authorization endpoint answers at once with a redirect to our redirect URI. The handler
# follows redirects itself (no auto-redirect) until it reaches the loopback callback
# (http://127.0.0.1:<port>/callback), then delivers it both ways the module accepts: a GET to the
# module's loopback listener, started in the background so the handler never blocks on it, and the
# callback URL as the handler's return value.
$authorizationHandler = {
    $start = if ($args.Count -gt 0 -and $null -ne $args[0]) { $args[0] } else { $_ }
    if ($null -eq $start) { throw 'The authorization handler received no authorization URL.' }
    $current = [uri] "$start"

    $handler = [System.Net.Http.HttpClientHandler]::new()
    $handler.AllowAutoRedirect = $false
    $handler.UseCookies = $true
    $handler.CookieContainer = [System.Net.CookieContainer]::new()
    $http = [System.Net.Http.HttpClient]::new($handler)
    $http.Timeout = [TimeSpan]::FromSeconds(15)

    for ($hop = 0; $hop -lt 20; $hop++) {
        $isCallback = $current.IsLoopback -and $current.AbsolutePath -eq '/callback'
        if ($isCallback) {
            [Console]::Error.WriteLine("client.ps1: reached the loopback callback $($current.GetLeftPart([UriPartial]::Path)) after $hop redirect(s)")
            # Fire and forget: the module's listener answers it; the module may also take the returned URL.
            $null = $http.GetAsync($current)
            return $current.AbsoluteUri
        }

        [Console]::Error.WriteLine("client.ps1: authorization GET $($current.GetLeftPart([UriPartial]::Path))")
        $response = $http.GetAsync($current).GetAwaiter().GetResult()
        $status = [int] $response.StatusCode
        $location = $response.Headers.Location
        if ($status -lt 300 -or $status -ge 400 -or $null -eq $location) {
            $body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
            if ($body.Length -gt 500) { $body = $body.Substring(0, 500) }
            throw "The authorization endpoint answered $status without a redirect to the loopback callback: $body"
        }
        $next = if ($location.IsAbsoluteUri) { $location } else { [uri]::new($current, $location) }
        $response.Dispose()
        $current = $next
    }
    throw 'The authorization endpoint redirected more than 20 times without reaching the loopback callback.'
}

# ---- arguments from an input schema ------------------------------------------------------------------

function Get-SchemaType($Schema) {
    if ($null -eq $Schema -or $null -eq $Schema.PSObject.Properties['type']) { return $null }
    $type = $Schema.type
    if ($type -is [array]) {
        $type = @($type | Where-Object { $_ -ne 'null' })[0]
    }
    return [string] $type
}

$script:nextNumber = 1
function New-SchemaValue($Schema) {
    if ($null -ne $Schema.PSObject.Properties['default']) { return $Schema.default }
    if ($null -ne $Schema.PSObject.Properties['const']) { return $Schema.const }
    if ($null -ne $Schema.PSObject.Properties['enum']) { return @($Schema.enum)[0] }
    switch (Get-SchemaType $Schema) {
        'number' { return ($script:nextNumber++) }
        'integer' { return ($script:nextNumber++) }
        'boolean' { return $true }
        'string' { return 'test' }
        'array' { return , @() }
        'object' { return (New-Arguments $Schema) }
        default { return 'test' }
    }
}

function New-Arguments($Schema) {
    $arguments = @{}
    if ($null -eq $Schema -or $null -eq $Schema.PSObject.Properties['properties'] -or $null -eq $Schema.properties) {
        return $arguments
    }
    foreach ($property in $Schema.properties.PSObject.Properties) {
        $arguments[$property.Name] = New-SchemaValue $property.Value
    }
    return $arguments
}

# A JSON element of MCP_CONFORMANCE_CONTEXT as PowerShell data: objects become hashtables, numbers long or double.
function ConvertFrom-JsonElement([System.Text.Json.JsonElement] $Element) {
    switch ($Element.ValueKind) {
        'Object' {
            $table = [ordered]@{}
            foreach ($p in $Element.EnumerateObject()) { $table[$p.Name] = ConvertFrom-JsonElement $p.Value }
            return $table
        }
        'Array' { return , @($Element.EnumerateArray() | ForEach-Object { ConvertFrom-JsonElement $_ }) }
        'String' { return $Element.GetString() }
        'Number' { [long] $l = 0; if ($Element.TryGetInt64([ref] $l)) { return $l } else { return $Element.GetDouble() } }
        'True' { return $true }
        'False' { return $false }
        default { return $null }
    }
}

# Scenarios that name the arguments of a tool call in the context (toolCalls: [{ name, arguments }]).
function Get-ContextToolArguments {
    $calls = @{}
    $json = [Environment]::GetEnvironmentVariable('MCP_CONFORMANCE_CONTEXT')
    if ([string]::IsNullOrEmpty($json)) { return $calls }
    $document = [System.Text.Json.JsonDocument]::Parse($json)
    try {
        [System.Text.Json.JsonElement] $list = [System.Text.Json.JsonElement]::new()
        if ($document.RootElement.TryGetProperty('toolCalls', [ref] $list)) {
            foreach ($call in $list.EnumerateArray()) {
                $calls[$call.GetProperty('name').GetString()] = ConvertFrom-JsonElement $call.GetProperty('arguments')
            }
        }
    }
    finally {
        $document.Dispose()
    }
    return $calls
}

# ---- Connect-McpServer parameters per scenario ---------------------------------------------------------

$connect = Get-Command Connect-McpServer
$parameters = @{ Uri = [uri] $ServerUrl }
$isAuthScenario = $scenario.StartsWith('auth/')

# Sign-in parameters are passed whenever the cmdlet has them. An auth scenario passes them regardless,
# so a module without them fails there with a parameter-binding error rather than hanging in a prompt.
if ($isAuthScenario -or $connect.Parameters.ContainsKey('AuthorizationHandler')) {
    $parameters['AuthorizationHandler'] = $authorizationHandler
}
if ($connect.Parameters.ContainsKey('CredentialStore')) {
    # Also forced by MCPAUTH_CREDENTIAL_STORE=memory in ./client; either way every run starts empty.
    $parameters['CredentialStore'] = 'Memory'
}

$keyDirectory = $null
switch ($scenario) {
    'auth/pre-registration' {
        $context = Read-Context
        $parameters['ClientId'] = Get-ContextValue $context 'client_id'
        $parameters['ClientSecret'] = ConvertTo-Secure (Get-ContextValue $context 'client_secret')
    }
    'auth/client-credentials-basic' {
        $context = Read-Context
        $parameters.Remove('AuthorizationHandler')
        $parameters['ClientCredentials'] = $true
        $parameters['ClientId'] = Get-ContextValue $context 'client_id'
        $parameters['ClientSecret'] = ConvertTo-Secure (Get-ContextValue $context 'client_secret')
    }
    'auth/client-credentials-jwt' {
        $context = Read-Context
        $parameters.Remove('AuthorizationHandler')
        $parameters['ClientCredentials'] = $true
        $parameters['ClientId'] = Get-ContextValue $context 'client_id'
        # CreateTempSubdirectory makes the directory 0700 on Unix; the key file lives only for this run.
        $keyDirectory = [System.IO.Directory]::CreateTempSubdirectory('mcpauth-conformance-')
        $keyPath = [System.IO.Path]::Combine($keyDirectory.FullName, 'client-key.pem')
        [System.IO.File]::WriteAllText($keyPath, (Get-ContextValue $context 'private_key_pem'))
        $parameters['PrivateKeyPath'] = $keyPath
        Write-Log "signing algorithm from context: $($context['signing_algorithm'])"
    }
    'auth/basic-cimd' {
        # The scenario's authorization server expects exactly this URL as the client_id.
        $parameters['ClientMetadataUrl'] = [uri] 'https://conformance-test.local/client-metadata.json'
    }
    { $_ -in 'auth/cross-app-access-complete-flow', 'auth/enterprise-managed-authorization' } {
        # Enterprise-managed authorization (SEP-990): the IdP's ID token is exchanged for an ID-JAG there, then
        # the JWT bearer grant at the MCP server's authorization server with its pre-registered client.
        $context = Read-Context
        $parameters.Remove('AuthorizationHandler')
        $parameters['ClientId'] = Get-ContextValue $context 'client_id'
        $parameters['ClientSecret'] = ConvertTo-Secure (Get-ContextValue $context 'client_secret')
        $parameters['IdentityProvider'] = [uri] (Get-ContextValue $context 'idp_issuer')
        $parameters['IdentityProviderClientId'] = Get-ContextValue $context 'idp_client_id'
        $parameters['IdentityAssertion'] = ConvertTo-Secure (Get-ContextValue $context 'idp_id_token')
    }
    'auth/wif-jwt-bearer' {
        # Workload identity: the platform's JWT, read from a file on every exchange.
        $context = Read-Context
        $parameters.Remove('AuthorizationHandler')
        $keyDirectory = [System.IO.Directory]::CreateTempSubdirectory('mcpauth-conformance-')
        $tokenPath = [System.IO.Path]::Combine($keyDirectory.FullName, 'workload-token.jwt')
        [System.IO.File]::WriteAllText($tokenPath, (Get-ContextValue $context 'valid_jwt'))
        $parameters['ClientId'] = Get-ContextValue $context 'client_id'
        $parameters['WorkloadIdentityTokenPath'] = $tokenPath
    }
}

# ---- the flow -----------------------------------------------------------------------------------------

try {
    Write-Log "scenario $scenario, server $ServerUrl, Connect-McpServer -$(Join-Sorted $parameters.Keys ' -')"
    $connection = Connect-McpServer @parameters
    if ($null -eq $connection) { throw "Connect-McpServer returned no connection for $ServerUrl." }
    Write-Log "connected: protocol $($connection.ProtocolVersion), server $($connection.Name) $($connection.ServerVersion), session $($connection.SessionId)"

    # Skills (SEP-2640): listing must read no skill file; loading verifies SKILL.md (size, digest, frontmatter)
    # before any other file. The verify-* scenarios serve a tampered SKILL.md, so Read-McpSkill must stop with
    # SkillVerificationFailed (expected there, and the run succeeds); any other error fails the run.
    if ($scenario -eq 'sep-2640-client-no-prefetch') {
        $skills = @(Get-McpSkill -Connection $connection)
        Write-Log "skills: $(($skills | ForEach-Object { $_.Name }) -join ', ') (no file read)"
        Write-Log 'done'
        return
    }
    if ($scenario.StartsWith('sep-2640-client-verify-')) {
        try {
            $loaded = @(Get-McpSkill -Connection $connection | Read-McpSkill)
            throw "Read-McpSkill loaded $($loaded.Count) skill(s) the scenario tampered with."
        }
        catch {
            if ($_.FullyQualifiedErrorId -notlike 'SkillVerificationFailed,*') { throw }
            Write-Log "skill rejected as expected: $($_.Exception.Message)"
        }
        Write-Log 'done'
        return
    }

    $tools = @(Get-McpTool -Connection $connection)
    Write-Log "tools: $(($tools | ForEach-Object { $_.Name }) -join ', ')"
    $contextArguments = Get-ContextToolArguments

    foreach ($tool in $tools) {
        $arguments = if ($contextArguments.ContainsKey($tool.Name)) { $contextArguments[$tool.Name] } else { New-Arguments $tool.InputSchema }
        if ($scenario -eq 'json-schema-2020-12-preservation' -and $tool.Name -eq 'json_schema_echo') {
            # The scenario checks that the client kept a tool's inputSchema as sent: echo it back.
            $arguments = @{ schema = @($tools | Where-Object { $_.Name -eq 'json_schema_2020_12_tool' })[0].InputSchema }
        }
        Write-Log "Invoke-McpTool $($tool.Name) (arguments: $(Join-Sorted $arguments.Keys))"
        $result = @(Invoke-McpTool -Name $tool.Name -Arguments $arguments -Connection $connection)
        foreach ($item in $result) { "$($tool.Name): $item" }
    }

    Write-Log 'done'
}
finally {
    if ($null -ne $keyDirectory) {
        $keyDirectory.Delete($true)
    }
}
