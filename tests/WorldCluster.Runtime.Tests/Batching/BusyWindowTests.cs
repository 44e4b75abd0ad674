using Microsoft.Extensions.Time.Testing;
using WorldCluster.Runtime.Batching;

namespace WorldCluster.Runtime.Tests.Batching;

// The busy share autoscalers read: busy time over wall time, exact on a fake clock, sliding, counting a call in flight.
public sealed class BusyWindowTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void Six_busy_seconds_of_thirty_read_as_a_fifth()
    {
        var time = new FakeTimeProvider(Start);
        var busy = new BusyWindow(time, Window);
        time.Advance(Seconds(10));
        busy.CallStarted();
        time.Advance(Seconds(6));
        busy.CallEnded();
        time.Advance(Seconds(14));

        Assert.Equal(0.2, busy.Ratio(), 9);
    }

    [Fact]
    public void Busy_time_slides_out_of_the_window()
    {
        var time = new FakeTimeProvider(Start);
        var busy = new BusyWindow(time, Window);
        time.Advance(Seconds(10));
        busy.CallStarted();
        time.Advance(Seconds(6));
        busy.CallEnded();

        time.Advance(Seconds(27));
        // The window is [13 s, 43 s): three of the six busy seconds are still in it.
        Assert.Equal(0.1, busy.Ratio(), 9);
        time.Advance(Seconds(3));
        Assert.Equal(0, busy.Ratio(), 9);
    }

    [Fact]
    public void A_call_still_running_counts_up_to_now()
    {
        var time = new FakeTimeProvider(Start);
        var busy = new BusyWindow(time, Window);
        time.Advance(Seconds(25));
        busy.CallStarted();
        time.Advance(Seconds(5));

        Assert.Equal(5.0 / 30, busy.Ratio(), 9);
        time.Advance(Seconds(30));
        Assert.Equal(1, busy.Ratio(), 9);
        busy.CallEnded();
        Assert.Equal(1, busy.Ratio(), 9);
    }

    [Fact]
    public void Before_a_whole_window_the_share_is_of_the_batchers_lifetime()
    {
        var time = new FakeTimeProvider(Start);
        var busy = new BusyWindow(time, Window);
        busy.CallStarted();
        time.Advance(Seconds(2));
        busy.CallEnded();
        time.Advance(Seconds(2));

        // Half of its four seconds, not four thirtieths: a new silo that is saturated reads as saturated.
        Assert.Equal(0.5, busy.Ratio(), 9);
    }

    [Fact]
    public void Many_short_calls_add_up_and_a_call_across_the_windows_edge_counts_its_part_inside()
    {
        var time = new FakeTimeProvider(Start);
        var busy = new BusyWindow(time, Window);
        // 300 calls of 30 ms, one every 100 ms from 80 ms: calls straddle the one-second slots.
        time.Advance(TimeSpan.FromMilliseconds(80));
        for (var i = 0; i < 300; i++)
        {
            busy.CallStarted();
            time.Advance(TimeSpan.FromMilliseconds(30));
            busy.CallEnded();
            time.Advance(TimeSpan.FromMilliseconds(70));
        }
        time.Advance(Start.AddSeconds(40) - time.GetUtcNow());

        // The window is [10 s, 40 s): the call of [9.98 s, 10.01 s) counts 10 ms, the 200 calls after it 30 ms each.
        Assert.Equal((10 + (200 * 30)) / 30_000.0, busy.Ratio(), 9);
    }
}
