using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WorldCluster.Models.Torch;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Tests.Hosting;

public sealed class NativeHeapTrimmerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_heap_is_trimmed_once_per_interval_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        using var trims = new SemaphoreSlim(0);
        var count = 0;
        using var trimmer = new NativeHeapTrimmer(time, TimeSpan.FromMinutes(1), () =>
        {
            Interlocked.Increment(ref count);
            trims.Release();
            return true;
        }, NullLogger.Instance);
        await trimmer.StartAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, Volatile.Read(ref count));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await trims.WaitAsync(Deadline));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await trims.WaitAsync(Deadline));

        await trimmer.StopAsync(CancellationToken.None);
        Assert.Equal(2, Volatile.Read(ref count));
    }

    [Fact]
    public async Task A_zero_interval_never_trims()
    {
        var time = new FakeTimeProvider();
        var count = 0;
        using var trimmer = new NativeHeapTrimmer(time, TimeSpan.Zero, () => Interlocked.Increment(ref count) > 0, NullLogger.Instance);
        await trimmer.StartAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromHours(1));
        await trimmer.StopAsync(CancellationToken.None);

        Assert.Equal(0, Volatile.Read(ref count));
    }

    [Fact]
    public void Glibc_trims_its_real_heap()
    {
        // Free a few megabytes of small blocks so the arenas hold whole free pages, then give them back.
        var blocks = Enumerable.Range(0, 4096).Select(_ => System.Runtime.InteropServices.Marshal.AllocHGlobal(1024)).ToArray();
        foreach (var block in blocks)
        {
            System.Runtime.InteropServices.Marshal.FreeHGlobal(block);
        }

        Assert.Equal(OperatingSystem.IsLinux(), NativeHeap.Trim());
    }
}
