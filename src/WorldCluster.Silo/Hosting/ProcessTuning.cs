using WorldCluster.Models.Torch;

namespace WorldCluster.Silo.Hosting;

/// <summary>
/// Process-wide settings a silo applies once at start: the thread pool's floor, and how many glibc malloc arenas the
/// native libraries (libtorch first) may spread over.
/// </summary>
/// <remarks>
/// The thread pool floor: every journal append ends in an fsync, which .NET can only do synchronously on Linux, so each
/// durable step blocks a pool thread for the disk's flush time (about 0.5–1 ms here). Orleans runs grain turns on the
/// same pool, whose hill climbing adds threads slowly once they block, so with hundreds of worlds stepping the flushes
/// queued behind a few threads. `bench models` measured 28–46 % more served steps per second with a floor of 64 on this
/// 2-core machine, and late real-time ticks fell from 1,320 to 278 (docs/benchmarks.md).
///
/// The arena cap: glibc gives each thread that meets contention its own arena (up to 8 per core) and keeps freed
/// memory in it; the soak saw the bytes held that way climb while the bytes in use stayed flat (docs/reliability.md).
/// Few threads allocate native memory here (the batcher and libtorch's intra-op workers), so a few arenas serve them.
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
