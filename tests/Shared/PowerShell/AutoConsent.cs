namespace McpAuth.Testing
{
    /// <summary>
    /// PowerShell script text for tests: an -AuthorizationHandler that plays the user's browser against the
    /// fixture's auto-consent (follows redirects with cookies) and returns the loopback callback URL.
    /// </summary>
    public static class AutoConsent
    {
        /// <summary>Defines $AutoConsent (returns the callback URL) and $AutoConsentVisit (lets the loopback listener receive it).</summary>
        public const string Define = @"
$global:LastCallback = $null
$global:AutoConsentFollow = {
    param([uri] $url)
    $h = [System.Net.Http.HttpClientHandler]::new()
    $h.CookieContainer = [System.Net.CookieContainer]::new()
    $h.AllowAutoRedirect = $false
    $c = [System.Net.Http.HttpClient]::new($h)
    $next = $url
    for ($i = 0; $i -lt 30; $i++) {
        $r = $c.GetAsync($next).GetAwaiter().GetResult()
        $loc = $r.Headers.Location
        if ($null -eq $loc) { throw ""no redirect from $next ($([int]$r.StatusCode))"" }
        if (-not $loc.IsAbsoluteUri) { $loc = [uri]::new($next, $loc) }
        if ($loc.Host -eq '127.0.0.1' -and $loc.AbsolutePath -eq '/callback') { $global:LastCallback = $loc; return $loc }
        $next = $loc
    }
    throw 'too many redirects'
}
$global:AutoConsent = { param([uri] $url) & $global:AutoConsentFollow $url }
$global:AutoConsentVisit = {
    param([uri] $url)
    $cb = & $global:AutoConsentFollow $url
    $null = [System.Net.Http.HttpClient]::new().GetAsync($cb).GetAwaiter().GetResult()
}
";
    }
}
