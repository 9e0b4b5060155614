using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;

namespace McpAuth.Testing
{
    /// <summary>
    /// The real PowerShell engine, in-process, with the built module imported from out/McpAuth. Each
    /// instance is one runspace; scripts run as real pipelines and every stream is captured.
    /// </summary>
    public sealed class HostedPowerShell : IDisposable
    {
        private readonly Runspace runspace;

        public HostedPowerShell(PSHost? host = null, IDictionary<string, string>? environment = null)
        {
            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { ModuleLocator.ModuleManifest });
            runspace = host is null ? RunspaceFactory.CreateRunspace(iss) : RunspaceFactory.CreateRunspace(host, iss);
            runspace.Open();
            if (environment is not null)
            {
                foreach (KeyValuePair<string, string> kv in environment)
                {
                    Environment.SetEnvironmentVariable(kv.Key, kv.Value);
                }
            }
        }

        public Runspace Runspace => runspace;

        /// <summary>Runs a script with variables set first; returns every stream.</summary>
        public PsResult Run(string script, IDictionary<string, object?>? variables = null)
        {
            using PowerShell ps = Create(script, variables);
            var result = new PsResult();
            try
            {
                result.Output = ps.Invoke().ToList();
            }
            catch (RuntimeException ex)
            {
                result.Terminating = ex;
            }

            result.Collect(ps);
            return result;
        }

        /// <summary>Creates a PowerShell for the script (to BeginInvoke and Stop, for example).</summary>
        public PowerShell Create(string script, IDictionary<string, object?>? variables = null)
        {
            PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            if (variables is not null)
            {
                foreach (KeyValuePair<string, object?> kv in variables)
                {
                    runspace.SessionStateProxy.SetVariable(kv.Key, kv.Value);
                }
            }

            ps.AddScript(script);
            return ps;
        }

        public void Dispose() => runspace.Dispose();
    }

    /// <summary>Everything a pipeline produced.</summary>
    public sealed class PsResult
    {
        public List<PSObject> Output { get; set; } = new List<PSObject>();

        public List<ErrorRecord> Errors { get; } = new List<ErrorRecord>();

        public List<string> Verbose { get; } = new List<string>();

        public List<string> Debug { get; } = new List<string>();

        public List<string> Warnings { get; } = new List<string>();

        public List<ProgressRecord> Progress { get; } = new List<ProgressRecord>();

        public List<string> Information { get; } = new List<string>();

        public RuntimeException? Terminating { get; set; }

        /// <summary>Gets the error ids of all errors, terminating one included.</summary>
        public IEnumerable<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId).Concat(Terminating?.ErrorRecord is null ? Array.Empty<string>() : new[] { Terminating.ErrorRecord.FullyQualifiedErrorId });

        /// <summary>Gets every piece of text any stream carried, for secret-leak checks.</summary>
        public string AllText()
        {
            var parts = new List<string>();
            parts.AddRange(Output.Select(o => o?.ToString() ?? string.Empty));
            foreach (ErrorRecord e in Errors)
            {
                parts.Add(e.ToString());
                parts.Add(e.Exception?.ToString() ?? string.Empty);
                parts.Add(e.ErrorDetails?.Message ?? string.Empty);
                parts.Add(e.ErrorDetails?.RecommendedAction ?? string.Empty);
                parts.Add(e.TargetObject?.ToString() ?? string.Empty);
            }

            if (Terminating is not null)
            {
                parts.Add(Terminating.ToString());
            }

            parts.AddRange(Verbose);
            parts.AddRange(Debug);
            parts.AddRange(Warnings);
            parts.AddRange(Information);
            parts.AddRange(Progress.Select(p => p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation));
            return string.Join("\n", parts);
        }

        public void ThrowIfErrors()
        {
            if (Terminating is not null)
            {
                throw new InvalidOperationException("The script failed: " + Terminating.ErrorRecord?.FullyQualifiedErrorId + ": " + Terminating.Message, Terminating);
            }

            if (Errors.Count > 0)
            {
                throw new InvalidOperationException("The script wrote errors: " + string.Join("; ", Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception?.Message)));
            }
        }

        internal void Collect(PowerShell ps)
        {
            Errors.AddRange(ps.Streams.Error);
            Verbose.AddRange(ps.Streams.Verbose.Select(v => v.Message));
            Debug.AddRange(ps.Streams.Debug.Select(v => v.Message));
            Warnings.AddRange(ps.Streams.Warning.Select(v => v.Message));
            Progress.AddRange(ps.Streams.Progress);
            Information.AddRange(ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? string.Empty));
        }
    }
}
