using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using McpAuth.Testing;
using Xunit;

namespace McpAuth.HostedTests
{
    /// <summary>
    /// The module keeps its engine and third-party assemblies in its own AssemblyLoadContext: the cmdlet
    /// assembly references none of them, they load from dependencies/ even when the process already has
    /// other versions (another module's MSAL, the runtime's System.Text.Json), and both sides keep working.
    /// The "import after" scenarios run in a fresh pwsh process whose first module is a stand-in for
    /// another module, so McpAuth really is imported after the other versions are loaded.
    /// </summary>
    public class IsolationTests : IClassFixture<PublicServerFixture>
    {
        private static readonly string[] Isolated = { "System.Text.Json", "System.Net.ServerSentEvents", "Microsoft.Identity.Client", "Microsoft.Identity.Client.Extensions.Msal", "Microsoft.Bcl.AsyncInterfaces" };

        private readonly FixtureServer server;

        public IsolationTests(PublicServerFixture fixture)
        {
            server = fixture.Server;
        }

        private static string ModuleDirectory => Path.GetDirectoryName(ModuleLocator.ModuleManifest)!;

        private static string DependencyDirectory => Path.Combine(ModuleDirectory, "dependencies");

        [Fact]
        public void The_engine_and_its_System_Text_Json_load_in_McpAuths_own_context()
        {
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("Invoke-McpTool -Uri $u echo @{ message = 'isolated' }; Get-McpTool -Uri $u -Name add | ForEach-Object { $_.InputSchema.type }", new Dictionary<string, object?> { ["u"] = server.Public });
            r.ThrowIfErrors();
            Assert.Equal(new object[] { "isolated", "object" }, r.Output.Select(o => o.BaseObject));

            Assembly[] loaded = AppDomain.CurrentDomain.GetAssemblies();
            Assembly cmdlets = Assert.Single(loaded, a => a.GetName().Name == "McpAuth");
            Assembly core = Assert.Single(loaded, a => a.GetName().Name == "McpAuth.Core");
            AssemblyLoadContext coreContext = AssemblyLoadContext.GetLoadContext(core)!;
            Assert.Equal("McpAuthLoadContext", coreContext.GetType().Name);
            Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(cmdlets));
            // PowerShell 7.6+ (.NET 10): the engine precompiled for this platform, which the build lays out beside its IL.
            Assert.Equal(Path.Combine(DependencyDirectory, PrecompiledPlatform, "McpAuth.Core.dll"), core.Location);

            // The System.Text.Json the engine binds to: the assembly of a type in its own signatures.
            Assembly coreJson = core.GetType("McpAuth.Core.Mcp.McpToolInfo", throwOnError: true)!
                .GetProperty("InputSchema", BindingFlags.NonPublic | BindingFlags.Instance)!.PropertyType.Assembly;
            Assembly defaultJson = typeof(JsonNode).Assembly;
            Assert.Equal("System.Text.Json", coreJson.GetName().Name);
            Assert.NotSame(defaultJson, coreJson);
            Assert.Same(coreContext, AssemblyLoadContext.GetLoadContext(coreJson));
            Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(defaultJson));
            Assert.Equal(Path.Combine(DependencyDirectory, "System.Text.Json.dll"), coreJson.Location);
            Assert.Contains(loaded, a => ReferenceEquals(a, coreJson));
            Assert.Contains(loaded, a => ReferenceEquals(a, defaultJson));

            // Every isolated assembly that is loaded at all came from dependencies/ into that context.
            foreach (Assembly a in loaded.Where(a => AssemblyLoadContext.GetLoadContext(a) == coreContext))
            {
                Assert.StartsWith(DependencyDirectory + Path.DirectorySeparatorChar, a.Location);
            }

            // The netstandard polyfills the runtime also has are the runtime's: one Span<T>, one Memory<T>.
            foreach (string polyfill in new[] { "System.Memory", "System.Buffers", "System.Runtime.CompilerServices.Unsafe", "System.Threading.Tasks.Extensions" })
            {
                Assert.DoesNotContain(loaded, a => a.GetName().Name == polyfill && AssemblyLoadContext.GetLoadContext(a) == coreContext);
            }
        }

        private static string PrecompiledPlatform => (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : "linux")
            + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

        [Fact]
        public void The_precompiled_engine_is_a_ReadyToRun_image_of_the_same_build_as_its_IL_and_nothing_else_is_precompiled()
        {
            string il = Path.Combine(DependencyDirectory, "McpAuth.Core.dll");
            string precompiled = Path.Combine(DependencyDirectory, PrecompiledPlatform, "McpAuth.Core.dll");
            Assert.True(File.Exists(precompiled), precompiled + " is missing: the build precompiles the engine for the platform that builds it");

            (Guid Mvid, bool ReadyToRun, string Version) Read(string path)
            {
                using var stream = File.OpenRead(path);
                using var pe = new PEReader(stream);
                MetadataReader md = pe.GetMetadataReader();
                return (md.GetGuid(md.GetModuleDefinition().Mvid), pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, md.GetAssemblyDefinition().Version.ToString());
            }

            var ilImage = Read(il);
            var nativeImage = Read(precompiled);
            Assert.False(ilImage.ReadyToRun);
            Assert.True(nativeImage.ReadyToRun);
            Assert.Equal(ilImage.Mvid, nativeImage.Mvid);
            Assert.Equal(ilImage.Version, nativeImage.Version);
            Assert.Equal(new[] { "McpAuth.Core.dll" }, Directory.GetFiles(Path.GetDirectoryName(precompiled)!).Select(Path.GetFileName));
        }

        [Fact]
        public void The_cmdlet_assembly_references_none_of_the_isolated_assemblies()
        {
            string dll = Path.Combine(ModuleDirectory, "McpAuth.dll");
            using var stream = File.OpenRead(dll);
            using var pe = new PEReader(stream);
            MetadataReader md = pe.GetMetadataReader();
            List<string> references = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();

            Assert.Contains("McpAuth.Core", references);
            Assert.Contains("System.Management.Automation", references);
            foreach (string name in references)
            {
                Assert.DoesNotContain(name, Isolated);
                Assert.False(name.StartsWith("Microsoft.Identity.", StringComparison.Ordinal), "McpAuth.dll references " + name);
            }

            // The layout that makes the isolation work: only the cmdlet assembly at the top, the rest in dependencies/.
            Assert.Equal(new[] { "McpAuth.dll" }, Directory.GetFiles(ModuleDirectory, "*.dll").Select(Path.GetFileName));
            foreach (string name in Isolated.Append("McpAuth.Core"))
            {
                Assert.True(File.Exists(Path.Combine(DependencyDirectory, name + ".dll")), name + " is missing from dependencies/");
            }
        }

        [Fact]
        public void Importing_after_another_module_loaded_an_older_MSAL_works_and_both_versions_run_side_by_side()
        {
            using var keyring = PrivateKeyring.Start();
            using var temp = new TempFolder();
            string other = OtherModule(temp.Path, "OtherMsal", @"
$script:mic = [System.Reflection.Assembly]::LoadFrom(""$PSScriptRoot/lib/Microsoft.Identity.Client.dll"")
$script:ext = [System.Reflection.Assembly]::LoadFrom(""$PSScriptRoot/lib/Microsoft.Identity.Client.Extensions.Msal.dll"")
$global:OtherApp = $script:mic.GetType('Microsoft.Identity.Client.PublicClientApplicationBuilder', $true)::Create('other-module-client').Build()
$global:OtherStorage = $script:ext.GetType('Microsoft.Identity.Client.Extensions.Msal.StorageCreationPropertiesBuilder', $true)::new('other.bin', $PSScriptRoot).Build()
");
            string lib = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(other)!, "lib")).FullName;
            File.Copy(OldPackageFile("microsoft.identity.client", "4.61.3", "lib/net6.0/Microsoft.Identity.Client.dll"), Path.Combine(lib, "Microsoft.Identity.Client.dll"));
            File.Copy(OldPackageFile("microsoft.identity.client.extensions.msal", "4.61.3", "lib/net6.0/Microsoft.Identity.Client.Extensions.Msal.dll"), Path.Combine(lib, "Microsoft.Identity.Client.Extensions.Msal.dll"));
            File.Copy(OldPackageFile("microsoft.identitymodel.abstractions", "6.35.0", "lib/net6.0/Microsoft.IdentityModel.Abstractions.dll"), Path.Combine(lib, "Microsoft.IdentityModel.Abstractions.dll"));

            var environment = new Dictionary<string, string?>
            {
                ["DBUS_SESSION_BUS_ADDRESS"] = keyring.Address,
                ["MCPAUTH_STORE_DIR"] = Path.Combine(temp.Path, "store"),
            };
            ProcessResult run = McpAuthHost.Run(
                "'LOADED ' + (@(Get-Module | ForEach-Object Name) -join ',')\n"
                + "'OTHER BEFORE ' + $global:OtherApp.AppConfig.ClientId + ' ' + $global:OtherApp.GetType().Assembly.GetName().Version\n"
                + "Import-Module $env:MCPAUTH_MANIFEST\n"
                + AutoConsent.Define
                + "Connect-McpServer $env:MCPAUTH_MCP -AuthorizationHandler $AutoConsent -CredentialStore Keychain | Invoke-McpTool whoami | ForEach-Object { 'WHOAMI ' + $_ }\n"
                + "Disconnect-McpServer -Uri $env:MCPAUTH_MCP\n"
                + "Get-McpCredential -CredentialStore Keychain | ForEach-Object { 'STORED ' + $_.Resource + ' ' + $_.HasRefreshToken }\n"
                + "$null = Connect-McpServer $env:MCPAUTH_MCP -CredentialStore Keychain\n"
                + "'AGAIN ' + (Invoke-McpTool -Uri $env:MCPAUTH_MCP echo @{ message = 'from the keychain' })\n"
                + "$core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'McpAuth.Core' }\n"
                + "$ctx = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core)\n"
                + "'CORECONTEXT ' + $ctx.GetType().Name\n"
                + "# What our MSAL Extensions binds to when it needs MSAL itself (a method signature names its types):\n"
                + "$ours = $ctx.Assemblies | Where-Object { $_.GetName().Name -eq 'Microsoft.Identity.Client.Extensions.Msal' }\n"
                + "foreach ($m in $ours.GetType('Microsoft.Identity.Client.Extensions.Msal.MsalCacheHelper', $true).GetMethods()) { $null = $m.GetParameters() }\n"
                + "'OTHER AFTER ' + $global:OtherApp.AppConfig.ClientId + ' ' + $global:OtherStorage.CacheFilePath\n"
                + "[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'Microsoft.Identity*' } | ForEach-Object { 'ASM ' + $_.GetName().Name + ' ' + $_.GetName().Version + ' ' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).GetType().Name }\n",
                environment,
                module: other,
                extraEnvironment: new Dictionary<string, string?> { ["MCPAUTH_MANIFEST"] = ModuleLocator.ModuleManifest, ["MCPAUTH_MCP"] = server.Mcp });
            Assert.True(run.ExitCode == 0, run.ToString());
            List<string> lines = run.Lines();

            Assert.Equal("LOADED OtherMsal", lines[0]);
            Assert.Equal("OTHER BEFORE other-module-client 4.61.3.0", lines[1]);
            Assert.Contains(lines, l => l.StartsWith("WHOAMI ", StringComparison.Ordinal) && l.Contains("\"sub\":\"alice\""));
            Assert.Contains("STORED " + server.Mcp + " True", lines);
            Assert.Contains("AGAIN from the keychain", lines);
            Assert.Contains("CORECONTEXT McpAuthLoadContext", lines);
            Assert.Contains("OTHER AFTER other-module-client " + Path.Combine(Path.GetDirectoryName(other)!, "other.bin"), lines);

            // Both versions of MSAL and of MSAL Extensions are loaded, each in its own context.
            Assert.Contains("ASM Microsoft.Identity.Client 4.61.3.0 DefaultAssemblyLoadContext", lines);
            Assert.Contains("ASM Microsoft.Identity.Client.Extensions.Msal 4.61.3.0 DefaultAssemblyLoadContext", lines);
            Assert.Contains("ASM Microsoft.Identity.Client.Extensions.Msal 4.92.0.0 McpAuthLoadContext", lines);
            Assert.Contains("ASM Microsoft.Identity.Client 4.92.0.0 McpAuthLoadContext", lines);
        }

        [Fact]
        public void Importing_after_the_runtime_System_Text_Json_is_loaded_works_in_a_fresh_process()
        {
            using var temp = new TempFolder();
            string other = OtherModule(temp.Path, "UsesRuntimeJson", @"
$json = [System.Reflection.Assembly]::Load('System.Text.Json')
$global:RuntimeJson = $json
$global:Parsed = $json.GetType('System.Text.Json.JsonDocument', $true)::Parse('{""n"":41}').RootElement.GetProperty('n').GetInt32()
");
            ProcessResult run = McpAuthHost.Run(
                "'BEFORE ' + $global:Parsed + ' ' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($global:RuntimeJson).GetType().Name\n"
                + "Import-Module $env:MCPAUTH_MANIFEST\n"
                + "$c = Connect-McpServer $env:MCPAUTH_PUBLIC\n"
                + "'ECHO ' + ($c | Invoke-McpTool echo @{ message = 'after the runtime json' })\n"
                + "'SUM ' + (Invoke-McpTool -Uri $env:MCPAUTH_PUBLIC add @{ a = 40; b = 2 }).sum\n"
                + "[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'System.Text.Json' } | ForEach-Object { 'ASM ' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).GetType().Name + ' ' + $_.Location }\n",
                new Dictionary<string, string?>(),
                module: other,
                extraEnvironment: new Dictionary<string, string?> { ["MCPAUTH_MANIFEST"] = ModuleLocator.ModuleManifest, ["MCPAUTH_PUBLIC"] = server.Public });
            Assert.True(run.ExitCode == 0, run.ToString());
            List<string> lines = run.Lines();

            Assert.Equal("BEFORE 41 DefaultAssemblyLoadContext", lines[0]);
            Assert.Contains("ECHO after the runtime json", lines);
            Assert.Contains("SUM 42", lines);
            List<string> json = lines.Where(l => l.StartsWith("ASM ", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, json.Count);
            Assert.Contains(json, l => l.StartsWith("ASM DefaultAssemblyLoadContext ", StringComparison.Ordinal) && l.EndsWith(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Text.Json.dll"), StringComparison.Ordinal));
            Assert.Contains("ASM McpAuthLoadContext " + Path.Combine(DependencyDirectory, "System.Text.Json.dll"), json);
        }

        [Fact]
        public void A_fresh_runspace_connects_and_calls_while_the_runtime_System_Text_Json_is_loaded()
        {
            // This test process always has the runtime's System.Text.Json (the fixture client uses it).
            Assert.Contains(AppDomain.CurrentDomain.GetAssemblies(), a => ReferenceEquals(a, typeof(JsonNode).Assembly));
            using var ps = new HostedPowerShell();
            PsResult r = ps.Run("$c = Connect-McpServer $u -Force; $c | Invoke-McpTool echo @{ message = 'fresh runspace' }; (Invoke-McpTool -Uri $u add @{ a = 1; b = 2 }).sum", new Dictionary<string, object?> { ["u"] = server.Public });
            r.ThrowIfErrors();
            Assert.Equal(new object[] { "fresh runspace", 3L }, r.Output.Select(o => o.BaseObject));
            Assert.Equal(2, AppDomain.CurrentDomain.GetAssemblies().Count(a => a.GetName().Name == "System.Text.Json"));
        }

        /// <summary>Writes a stand-in for another module (a .psm1 in its own folder) and returns its path.</summary>
        private static string OtherModule(string root, string name, string script)
        {
            string dir = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            string path = Path.Combine(dir, name + ".psm1");
            File.WriteAllText(path, script);
            return path;
        }

        /// <summary>A file of a package this project only downloads (PackageDownload), from NuGet's package folder.</summary>
        private static string OldPackageFile(string id, string version, string relative)
        {
            var folders = new List<string>();
            string assets = Path.Combine(ModuleLocator.RepoRoot, "tests", "McpAuth.PowerShell.Tests", "obj", "project.assets.json");
            if (File.Exists(assets) && JsonNode.Parse(File.ReadAllText(assets))?["packageFolders"] is JsonObject listed)
            {
                folders.AddRange(listed.Select(p => p.Key));
            }

            if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured)
            {
                folders.Add(configured);
            }

            folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));
            foreach (string folder in folders)
            {
                string path = Path.Combine(folder, id, version, relative);
                if (File.Exists(path))
                {
                    return path;
                }
            }

            throw new InvalidOperationException($"{id} {version} is not in the NuGet package folders ({string.Join(", ", folders)}); restore tests/McpAuth.PowerShell.Tests (it downloads it).");
        }
    }

    /// <summary>
    /// Runs a script in a fresh real pwsh process (HostProcess) that first imports
    /// <c>module</c> (McpAuth by default; another module's .psm1 for the "import after" tests). The child never
    /// inherits this process's store settings or session bus.
    /// </summary>
    public static class McpAuthHost
    {
        public static ProcessResult Run(
            string command,
            IReadOnlyDictionary<string, string?> environment,
            string? module = null,
            IReadOnlyDictionary<string, string?>? extraEnvironment = null,
            string? prelude = null,
            string? workingDirectory = null,
            TimeSpan? timeout = null)
        {
            var all = new Dictionary<string, string?> { ["MCPAUTH_NO_BROWSER"] = "1" };
            foreach (KeyValuePair<string, string?> pair in environment.Concat(extraEnvironment ?? new Dictionary<string, string?>()))
            {
                all[pair.Key] = pair.Value;
            }

            ProcessStartInfo info = HostProcess.Info((prelude ?? string.Empty) + command, all, module);
            foreach (string name in new[] { "MCPAUTH_CREDENTIAL_STORE", "MCPAUTH_STORE_DIR", "MCPAUTH_ALLOW_PLAINTEXT_STORAGE", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "MCPAUTH_MODULE" })
            {
                // Never inherited by accident: only what the test passes (the module argument decides what is imported first).
                if (!all.ContainsKey(name))
                {
                    info.Environment.Remove(name);
                }
            }

            info.WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory;
            return ChildProcess.Run(info, timeout ?? TimeSpan.FromSeconds(90));
        }

        /// <summary>The non-empty lines a run wrote to stdout.</summary>
        public static List<string> Lines(this ProcessResult run) => run.StdOut.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
    }

    /// <summary>A temporary folder deleted at the end of a test.</summary>
    internal sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = Directory.CreateTempSubdirectory("mcpauth-isolation-").FullName;
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
