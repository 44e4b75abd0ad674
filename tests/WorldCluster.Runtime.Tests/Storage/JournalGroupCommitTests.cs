using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Storage;

public sealed class JournalGroupCommitTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_writer_that_arrives_during_a_flush_waits_for_the_next_one()
    {
        using var gate = new ManualResetEventSlim(false);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flushes = 0;
        var commit = new JournalGroupCommit(() =>
        {
            if (Interlocked.Increment(ref flushes) == 1)
            {
                entered.TrySetResult();
                gate.Wait(Deadline);
            }
        });

        var first = commit.WhenDurableAsync();
        await entered.Task.WaitAsync(Deadline);
        // This writer's bytes came after the running flush started: that flush does not cover them.
        var second = commit.WhenDurableAsync();
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        gate.Set();
        await first.WaitAsync(Deadline);
        await second.WaitAsync(Deadline);
        Assert.Equal(2, flushes);
        Assert.Equal(2, commit.Flushes);
    }

    [Fact]
    public async Task Writers_that_wait_together_share_one_flush()
    {
        using var gate = new ManualResetEventSlim(false);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = new JournalGroupCommit(() =>
        {
            entered.TrySetResult();
            gate.Wait(Deadline);
        });
        var first = commit.WhenDurableAsync();
        await entered.Task.WaitAsync(Deadline);

        var group = Enumerable.Range(0, 50).Select(_ => commit.WhenDurableAsync()).ToArray();
        gate.Set();
        await Task.WhenAll([first, .. group]).WaitAsync(Deadline);

        // One flush for the first writer, one for the fifty that queued behind it.
        Assert.Equal(2, commit.Flushes);
    }

    [Fact]
    public async Task A_failed_flush_fails_its_group_with_an_io_error_and_the_next_group_flushes_again()
    {
        var calls = 0;
        var commit = new JournalGroupCommit(() =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("disk gone");
            }
        });

        var failed = await Assert.ThrowsAsync<IOException>(() => commit.WhenDurableAsync().WaitAsync(Deadline));
        await commit.WhenDurableAsync().WaitAsync(Deadline);

        Assert.Contains("disk gone", failed.Message, StringComparison.Ordinal);
        Assert.Equal(2, calls);
    }
}
