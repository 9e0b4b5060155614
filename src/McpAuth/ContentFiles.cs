using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace McpAuth
{
    /// <summary>
    /// Files for content a server sent (Save-McpContent, Read-McpResource -OutFile/-OutDirectory, Invoke-McpTool
    /// -OutDirectory): sensible names (a resource's last path segment, or the tool or prompt and the block's
    /// number), an extension for the MIME type when the name has none, and nothing a server could use to write
    /// outside the folder (no separators, no "..", no device names, no control characters). Text is written as
    /// UTF-8 without a byte order mark, bytes as they are. Existing files are overwritten; within one command
    /// two contents never share a name ("logo.png", "logo-2.png").
    /// </summary>
    internal sealed class ContentFiles
    {
        private static readonly Dictionary<string, string> Extensions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["image/png"] = ".png",
            ["image/jpeg"] = ".jpg",
            ["image/gif"] = ".gif",
            ["image/webp"] = ".webp",
            ["image/svg+xml"] = ".svg",
            ["image/bmp"] = ".bmp",
            ["audio/wav"] = ".wav",
            ["audio/x-wav"] = ".wav",
            ["audio/wave"] = ".wav",
            ["audio/mpeg"] = ".mp3",
            ["audio/ogg"] = ".ogg",
            ["audio/webm"] = ".webm",
            ["audio/flac"] = ".flac",
            ["text/plain"] = ".txt",
            ["text/markdown"] = ".md",
            ["text/csv"] = ".csv",
            ["text/html"] = ".html",
            ["application/json"] = ".json",
            ["application/xml"] = ".xml",
            ["text/xml"] = ".xml",
            ["application/pdf"] = ".pdf",
            ["application/zip"] = ".zip",
            ["application/octet-stream"] = ".bin",
        };

        private static readonly HashSet<string> DeviceNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
        };

        private readonly HashSet<string> used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The extension for a MIME type (".bin" for bytes of an unknown type, ".txt" for text).</summary>
        public static string Extension(string? mimeType, bool binary)
        {
            string type = (mimeType ?? string.Empty).Split(';')[0].Trim();
            if (Extensions.TryGetValue(type, out string? extension))
            {
                return extension;
            }

            return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || !binary ? ".txt" : ".bin";
        }

        /// <summary>A safe file name from a hint (no extension yet): the extension of the MIME type added.</summary>
        public static string SafeName(string hint, string? mimeType) => Sanitize(hint, "content") + Extension(mimeType, binary: true);

        /// <summary>A safe file name for a resource: its URI's last path segment (else its host), with an extension for the MIME type when it has none.</summary>
        public static string NameFromUri(string uri, string? mimeType, bool binary)
        {
            string candidate = string.Empty;
            if (Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed))
            {
                string path = Uri.UnescapeDataString(parsed.AbsolutePath).TrimEnd('/');
                candidate = path.Substring(path.LastIndexOf('/') + 1);
                if (candidate.Length == 0)
                {
                    candidate = parsed.Host;
                }
            }

            string name = Sanitize(candidate, "resource");
            return Path.HasExtension(name) ? name : name + Extension(mimeType, binary);
        }

        /// <summary>Writes bytes under <paramref name="directory"/> with <paramref name="name"/> (made unique within this command).</summary>
        public FileInfo Write(string directory, string name, byte[] bytes)
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, Unique(name));
            File.WriteAllBytes(path, bytes);
            return new FileInfo(path);
        }

        /// <summary>Writes to exactly <paramref name="path"/> (-OutFile, -Path); its folder must exist.</summary>
        public static FileInfo WriteTo(string path, byte[] bytes)
        {
            File.WriteAllBytes(path, bytes);
            return new FileInfo(path);
        }

        /// <summary>The file name and bytes of content that has data to save (images, audio, resource contents, text); null for a link.</summary>
        public static (string Name, byte[] Bytes)? Savable(McpContent content) => content switch
        {
            McpMediaContent media => (media.FileName, media.Bytes),
            McpResourceContents resource => (resource.FileName, resource.Bytes ?? TextBytes(resource.Text ?? string.Empty)),
            McpTextContent text => ("text.txt", TextBytes(text.Text)),
            _ => null,
        };

        /// <summary>The bytes to write for text: UTF-8 without a byte order mark.</summary>
        public static byte[] TextBytes(string text) => new UTF8Encoding(false).GetBytes(text);

        private static string Sanitize(string name, string fallback)
        {
            var clean = new StringBuilder(name.Length);
            foreach (char c in name)
            {
                bool bad = c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' || c == '<' || c == '>' || c == '|';
                clean.Append(bad ? '_' : c);
            }

            string result = clean.ToString().Trim().TrimStart('.').TrimEnd('.', ' ');
            if (result.Length > 120)
            {
                string extension = Path.GetExtension(result);
                result = result.Substring(0, 120 - Math.Min(extension.Length, 20)) + (extension.Length <= 20 ? extension : string.Empty);
            }

            string stem = result.Split('.')[0];
            return result.Length == 0 || DeviceNames.Contains(stem) ? fallback : result;
        }

        private string Unique(string name)
        {
            string stem = Path.GetFileNameWithoutExtension(name);
            string extension = Path.GetExtension(name);
            string candidate = name;
            for (int i = 2; !used.Add(candidate); i++)
            {
                candidate = $"{stem}-{i}{extension}";
            }

            return candidate;
        }
    }
}
