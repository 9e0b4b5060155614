using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("McpAuth.PowerShell.Tests")]
