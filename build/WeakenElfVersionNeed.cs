// MSBuild inline task (RoslynCodeTaskFactory): marks one ELF version-need entry weak when the system lacks it.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenElfVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    // Where distributions keep the C++ runtime the loader will pick.
    private static readonly string[] SystemLibStdCxx =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    [Required] public string Library { get; set; } = "";
    [Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        var system = Array.Find(SystemLibStdCxx, File.Exists);
        if (system == null)
        {
            Log.LogMessage(MessageImportance.Low, "No system libstdc++ found; leaving {0} as shipped.", Library);
            return true;
        }
        if (Contains(File.ReadAllBytes(system), Encoding.ASCII.GetBytes(Version + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, "{0} provides {1}; leaving {2} as shipped.", system, Version, Library);
            return true;
        }

        var bytes = File.ReadAllBytes(Library);
        int entry;
        try
        {
            entry = FindVernaux(bytes, Version);
        }
        catch (InvalidDataException e)
        {
            Log.LogError("{0}: {1}", Library, e.Message);
            return false;
        }
        if (entry < 0)
        {
            Log.LogMessage(MessageImportance.Low, "{0} does not need {1}.", Library, Version);
            return true;
        }
        var flags = BitConverter.ToUInt16(bytes, entry + 4);
        if ((flags & VerFlgWeak) != 0)
        {
            return true;
        }
        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(bytes, entry + 4);

        // The output copy may be a hard link into the NuGet cache: write a new file and move it over, never edit in place.
        var temp = Library + ".weak-tmp";
        File.WriteAllBytes(temp, bytes);
        File.Delete(Library);
        File.Move(temp, Library);
        Log.LogMessage(MessageImportance.High, "Marked {0} weak in {1} ({2} lacks it).", Version, Library, system);
        return true;
    }

    // Returns the file offset of the Vernaux entry named `version`, or -1.
    private static int FindVernaux(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }
        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        }
        var shoff = checked((int)BitConverter.ToUInt64(elf, 0x28));
        var shentsize = BitConverter.ToUInt16(elf, 0x3A);
        var shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + (i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed)
            {
                continue;
            }
            var offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            var count = BitConverter.ToUInt32(elf, sh + 0x2C);
            var strtabHeader = shoff + (checked((int)BitConverter.ToUInt32(elf, sh + 0x28)) * shentsize);
            var strtab = checked((int)BitConverter.ToUInt64(elf, strtabHeader + 0x18));

            var need = offset;
            for (var n = 0; n < count; n++)
            {
                var auxCount = BitConverter.ToUInt16(elf, need + 2);
                var aux = need + checked((int)BitConverter.ToUInt32(elf, need + 8));
                for (var a = 0; a < auxCount; a++)
                {
                    var name = strtab + checked((int)BitConverter.ToUInt32(elf, aux + 8));
                    if (ReadCString(elf, name) == version)
                    {
                        return aux;
                    }
                    aux += checked((int)BitConverter.ToUInt32(elf, aux + 12));
                }
                need += checked((int)BitConverter.ToUInt32(elf, need + 12));
            }
        }
        return -1;
    }

    private static string ReadCString(byte[] bytes, int start)
    {
        var end = Array.IndexOf(bytes, (byte)0, start);
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }
            if (j == needle.Length)
            {
                return true;
            }
        }
        return false;
    }
}
