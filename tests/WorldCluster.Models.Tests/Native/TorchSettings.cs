using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using WorldCluster.Models.Torch;

namespace WorldCluster.Models.Tests.Native;

/// <summary>Applies the process-wide libtorch settings the silo and the CLI use, with one thread (test classes run side by side).</summary>
internal static class TorchSettings
{
    /// <summary>Sets the thread count before the first test runs.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "A test assembly: the setting must hold before any test class touches libtorch.")]
    internal static void Apply() => TorchRuntime.Configure(1);
}
