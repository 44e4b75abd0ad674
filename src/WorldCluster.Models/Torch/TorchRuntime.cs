using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace WorldCluster.Models.Torch;

/// <summary>
/// Process-wide libtorch settings, applied once before the first model runs: the intra-op thread count, and oneDNN's
/// instruction set capped at AVX2.
/// </summary>
/// <remarks>
/// On this project's AMD EPYC machines (AVX-512 with VNNI and BF16), libtorch 2.10's oneDNN 3.7.1 <c>jit:avx512_core</c>
/// convolution now and then left the second block of 16 output channels unwritten: a 3×3 convolution with 32 outputs
/// returned whatever the allocator's memory held there (often NaN) for every image of the batch, so the same step
/// gave different results from run to run. Capped at AVX2 (<c>ONEDNN_MAX_CPU_ISA=AVX2</c>), 12 runs out of 12 gave the
/// same bits; uncapped, about one run in three did not. See docs/torchsharp-on-linux.md.
/// </remarks>
public static partial class TorchRuntime
{
    /// <summary>The environment variable oneDNN reads for its instruction-set cap.</summary>
    public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The cap applied when the operator has not set <see cref="IsaVariable"/>.</summary>
    public const string DefaultIsa = "AVX2";

    /// <summary>Caps oneDNN's instruction set (unless the environment already names one) and sets libtorch's thread count.</summary>
    /// <remarks>Call before any tensor work: oneDNN reads its cap once, when it first creates a primitive.</remarks>
    public static void Configure(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        // oneDNN reads the process's native environment, which Environment.SetEnvironmentVariable does not change on
        // Unix; setenv does. An operator's own value wins (overwrite = 0).
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(IsaVariable) is null)
        {
            _ = SetEnv(IsaVariable, DefaultIsa, overwrite: 0);
        }
        set_num_threads(threads);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
