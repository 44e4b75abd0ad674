using WorldCluster.Models.Torch;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Tests.Hosting;

public sealed class ProcessTuningTests
{
    [Fact]
    public void The_thread_pool_floor_is_raised_and_never_lowered()
    {
        ThreadPool.GetMinThreads(out var before, out _);

        ProcessTuning.ApplyThreadPoolFloor(before + 3);
        ThreadPool.GetMinThreads(out var raised, out _);
        ProcessTuning.ApplyThreadPoolFloor(1);
        ThreadPool.GetMinThreads(out var after, out _);

        Assert.Equal(before + 3, raised);
        Assert.Equal(raised, after);
    }

    [Fact]
    public void Negative_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessTuning.ApplyThreadPoolFloor(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessTuning.CapMallocArenas(-1));
    }

    [Fact]
    public void Glibc_takes_the_arena_cap_and_native_allocation_still_works()
    {
        // The cap is glibc's (CI and the images run Debian), and an operator's MALLOC_ARENA_MAX takes precedence.
        var applies = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null;

        Assert.Equal(applies, ProcessTuning.CapMallocArenas(2));
        Assert.False(ProcessTuning.CapMallocArenas(0));
        // Allocations from many threads after the cap still succeed (they share the capped arenas).
        Parallel.For(0, 16, _ =>
        {
            var block = System.Runtime.InteropServices.Marshal.AllocHGlobal(1 << 16);
            System.Runtime.InteropServices.Marshal.FreeHGlobal(block);
        });
        Assert.NotNull(NativeHeap.Read());
    }
}
