using WorldCluster.Models.Torch;

namespace WorldCluster.Silo.Hosting;

/// <summary>
/// Process-wide settings a silo applies once at start: the thread pool's floor, and how many glibc malloc arenas the
/// native libraries (libtorch first) may spread over.
/// </summary>
/// <remarks>
/// The thread pool floor: without group commit (off Linux, or switched off) every journal append ends in an fsync, which
/// .NET can only do synchronously, so each durable step blocks a pool thread for the disk's flush time. Orleans runs grain
/// turns on the same pool, whose hill climbing adds threads slowly once they block, so with hundreds of worlds stepping the
/// flushes queue behind a few threads. A floor keeps enough threads ready; docs/benchmarks.md ("The thread-pool floor") has
/// the runs that chose the default, with and without group commit.
///
/// The arena cap is off by default: glibc gives each thread that meets contention its own arena, which on a many-core
/// machine multiplies the memory kept free; but threads sharing fewer arenas interleave their allocations and fragment
/// them, which the soak showed (docs/reliability.md), so the silo trims the heap instead (<see cref="NativeHeapTrimmer"/>)
/// and leaves the cap to operators.
/// </remarks>
public static class ProcessTuning
{
    /// <summary>Raises the thread pool's minimum worker threads to <paramref name="minWorkers"/> (0 leaves .NET's default).</summary>
    public static void ApplyThreadPoolFloor(int minWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minWorkers);
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (minWorkers > workers && !ThreadPool.SetMinThreads(minWorkers, io))
        {
            throw new InvalidOperationException($"the thread pool refused a minimum of {minWorkers} worker threads (WorldCluster:MinWorkerThreads)");
        }
    }

    /// <summary>Caps glibc's malloc arenas at <paramref name="arenas"/> (0 leaves glibc's default); an operator's <c>MALLOC_ARENA_MAX</c> wins.</summary>
    /// <returns>Whether the cap was applied (false elsewhere than glibc, or when the environment already sets one).</returns>
    public static bool CapMallocArenas(int arenas)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arenas);
        if (arenas == 0 || !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return false;
        }
        return NativeHeap.CapArenas(arenas);
    }
}
