using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using McpAuth.Core;
using McpAuth.Core.Mcp;

namespace McpAuth.Commands
{
    /// <summary>
    /// Loads a skill (SEP-2640): reads its SKILL.md and verifies its size, sha256 digest and YAML frontmatter
    /// against the skill's entry, then reads and verifies each further file the skill lists. Any failure is the
    /// terminating error SkillVerificationFailed, and no further file is read. Takes McpSkill objects from
    /// Get-McpSkill, or -Name (the skill is listed first, in the same engine call). -OutDirectory writes the verified files.
    /// </summary>
    [Cmdlet(VerbsCommunications.Read, "McpSkill", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(McpLoadedSkill), typeof(FileInfo))]
    public sealed class ReadMcpSkillCommand : McpToolCmdletBase
    {
        /// <summary>Gets or sets the skill to load, as Get-McpSkill returned it.</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNull]
        public McpSkill? Skill { get; set; }

        /// <summary>Gets or sets the name of the skill to load (the server's skills are listed to find it).</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>Gets or sets the folder to write the verified files to, each named after its URI's last segment.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutDirectory { get; set; }

        private readonly ContentFiles files = new ContentFiles();

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            Uri server = TargetUri;
            McpSkill? skill = Skill;
            if (skill is null && Name is null)
            {
                ThrowTerminatingError(ErrorMapper.ParameterError("SkillOrNameRequired", "Name a skill with -Name, or pipe one from Get-McpSkill.", server));
                return;
            }

            IReadOnlyList<McpSkillFile> loaded;
            try
            {
                McpTarget target = Target();
                Func<IEngineCallbacks, McpCallContext> context = CallContext();
                if (skill is not null)
                {
                    McpSkillInfo info = skill.Info;
                    loaded = RunEngineOfferingStore((callbacks, token) => McpOperations.LoadSkillAsync(target, info, context(callbacks), token));
                }
                else
                {
                    string name = Name!;
                    if (RunEngineOfferingStore((callbacks, token) => McpOperations.LoadSkillAsync(target, name, context(callbacks), token)) is not LoadedSkill found)
                    {
                        WriteError(new ErrorRecord(new ItemNotFoundException($"The server {server} has no skill named '{name}'."), "SkillNotFound", ErrorCategory.ObjectNotFound, name));
                        return;
                    }

                    skill = new McpSkill(server, found.Skill);
                    loaded = found.Files;
                }
            }
            catch (McpAuthException ex) when (ex.ErrorId == ErrorIds.SkillVerificationFailed)
            {
                ThrowEngineError(ex);
                return;
            }
            catch (McpAuthException ex)
            {
                WriteEngineError(ex);
                return;
            }

            if (OutDirectory is null)
            {
                WriteObject(new McpLoadedSkill(skill, loaded));
                return;
            }

            string folder = GetUnresolvedProviderPathFromPSPath(OutDirectory);
            foreach (McpSkillFile file in loaded)
            {
                string name = ContentFiles.NameFromUri(file.Uri, file.MimeType, binary: file.Text is null);
                WriteContentFile(Path.Combine(folder, name), () => files.Write(folder, name, file.Bytes));
            }
        }
    }
}
