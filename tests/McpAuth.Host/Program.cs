using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using McpAuth.Testing;

// mcpauth-host: runs a PowerShell script in the real engine (System.Management.Automation) with the
// built McpAuth module imported, for machines that have no pwsh. Output objects go to stdout, every
// other stream to stderr. Exit code 0 when the script wrote no error, 1 otherwise.
//
//   mcpauth-host [-Module <psd1>] [-Verbose] [-Debug] [-Interactive] (-File <script.ps1> | -Command <text>) [args...]
//
// -Interactive gives the script an interactive host whose prompts take their defaults (empty answers)
// or lines from MCPAUTH_HOST_INPUT (separated by newlines).
internal static class Program
{
    private static int Main(string[] argv)
    {
        string? module = null, file = null, command = null;
        bool verbose = false, debug = false, interactive = false;
        var rest = new List<string>();
        for (int i = 0; i < argv.Length; i++)
        {
            string a = argv[i];
            if (file is null && command is null)
            {
                switch (a.ToLowerInvariant())
                {
                    case "-module": module = argv[++i]; continue;
                    case "-verbose": verbose = true; continue;
                    case "-debug": debug = true; continue;
                    case "-interactive": interactive = true; continue;
                    case "-file": file = argv[++i]; continue;
                    case "-command": command = argv[++i]; continue;
                }
            }

            rest.Add(a);
        }

        if (file is null && command is null)
        {
            Console.Error.WriteLine("usage: mcpauth-host [-Module <psd1>] [-Verbose] [-Debug] [-Interactive] (-File <script.ps1> | -Command <text>) [args...]");
            return 2;
        }

        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { module ?? ModuleLocator.ModuleManifest });
        var host = new ScriptedHost(Console.Error);
        string? input = Environment.GetEnvironmentVariable("MCPAUTH_HOST_INPUT");
        if (input is not null)
        {
            foreach (string line in input.Split('\n'))
            {
                host.InputLines.Enqueue(line);
            }
        }

        using Runspace runspace = interactive ? RunspaceFactory.CreateRunspace(host, iss) : RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = runspace;
        if (verbose)
        {
            ps.AddScript("$VerbosePreference = 'Continue'").Invoke();
            ps.Commands.Clear();
        }

        if (debug)
        {
            ps.AddScript("$DebugPreference = 'Continue'").Invoke();
            ps.Commands.Clear();
        }

        if (file is not null)
        {
            ps.AddCommand(Path.GetFullPath(file));
        }
        else
        {
            ps.AddScript(command!);
        }

        foreach (string arg in rest)
        {
            ps.AddArgument(arg);
        }

        if (!interactive)
        {
            // An interactive host shows these streams itself (on stderr); print them only without one.
            ps.Streams.Verbose.DataAdded += (_, e) => Console.Error.WriteLine("VERBOSE: " + ps.Streams.Verbose[e.Index].Message);
            ps.Streams.Debug.DataAdded += (_, e) => Console.Error.WriteLine("DEBUG: " + ps.Streams.Debug[e.Index].Message);
            ps.Streams.Warning.DataAdded += (_, e) => Console.Error.WriteLine("WARNING: " + ps.Streams.Warning[e.Index].Message);
            ps.Streams.Information.DataAdded += (_, e) => Console.Error.WriteLine(ps.Streams.Information[e.Index].MessageData?.ToString());
        }
        ps.Streams.Error.DataAdded += (_, e) =>
        {
            ErrorRecord r = ps.Streams.Error[e.Index];
            // As PowerShell shows an error: ErrorDetails.Message (the module adds the command to run) over the exception's.
            Console.Error.WriteLine($"ERROR [{r.FullyQualifiedErrorId}]: {r.ErrorDetails?.Message ?? r.Exception?.Message}");
        };
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            ps.BeginStop(null, null);
        };

        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) => WriteObject(output[e.Index]);
        try
        {
            ps.Invoke(null, output);
        }
        catch (RuntimeException ex)
        {
            Console.Error.WriteLine($"ERROR [{ex.ErrorRecord?.FullyQualifiedErrorId}]: {ex.ErrorRecord?.ErrorDetails?.Message ?? ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine("ERROR: " + ex.Message);
            return 1;
        }

        return ps.HadErrors || ps.Streams.Error.Count > 0 ? 1 : 0;
    }

    private static void WriteObject(PSObject? item)
    {
        if (item is null)
        {
            return;
        }

        object baseObject = item.BaseObject;
        if (baseObject is string || baseObject.GetType().IsPrimitive || baseObject is decimal)
        {
            Console.Out.WriteLine(baseObject.ToString());
            return;
        }

        var props = item.Properties.Where(p => p.IsGettable).ToList();
        int width = props.Count == 0 ? 0 : props.Max(p => p.Name.Length);
        foreach (PSPropertyInfo p in props)
        {
            object? value;
            try
            {
                value = p.Value;
            }
            catch (GetValueException)
            {
                value = null;
            }

            Console.Out.WriteLine(p.Name.PadRight(width) + " : " + Format(value));
        }

        Console.Out.WriteLine();
    }

    private static string Format(object? value) => value switch
    {
        null => string.Empty,
        PSObject pso when pso.BaseObject is System.Collections.IEnumerable e and not string => "{" + string.Join(", ", e.Cast<object>()) + "}",
        System.Collections.IEnumerable e and not string => "{" + string.Join(", ", e.Cast<object>()) + "}",
        _ => value.ToString() ?? string.Empty,
    };
}
