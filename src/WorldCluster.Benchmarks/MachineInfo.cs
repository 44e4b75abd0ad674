using System.Runtime.InteropServices;

namespace WorldCluster.Benchmarks;

/// <summary>The machine a benchmark ran on, so that its numbers can be read in context.</summary>
/// <param name="Cpu">CPU model (from /proc/cpuinfo on Linux).</param>
/// <param name="Cores">Logical cores available to the process.</param>
/// <param name="MemoryGiB">Memory available to the process, in GiB.</param>
/// <param name="Dotnet">The .NET runtime.</param>
/// <param name="Os">The operating system.</param>
public sealed record MachineInfo(string Cpu, int Cores, double MemoryGiB, string Dotnet, string Os)
{
    /// <summary>Describes this machine.</summary>
    public static MachineInfo Describe() => new(
        CpuModel(),
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30), 1),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription);

    private static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (File.Exists(cpuinfo))
        {
            foreach (var line in File.ReadLines(cpuinfo))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        return $"unknown {RuntimeInformation.ProcessArchitecture} CPU";
    }
}
