using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>A real-time tick merges what a player sent per component: latest keys stay held, mouse deltas add up clipped, a tick value clears.</summary>
public sealed class ActionMergerTests
{
    private static readonly ActionSpace Space = ActionSpace.Structured("dict",
        new ActionComponent("keys", ActionKind.Keys, ["W", "S"], 2, [], [], ActionMerge.Latest),
        new ActionComponent("mouse", ActionKind.Box, ["dx"], 1, [-10], [10], ActionMerge.Sum),
        new ActionComponent("tool", ActionKind.Discrete, ["none", "pick"], 2, [], [], ActionMerge.Tick));

    [Fact]
    public void Keys_are_held_across_ticks_deltas_sum_and_clip_and_tick_values_clear()
    {
        var merger = new ActionMerger(Space, slots: 1);

        merger.Merge(0, [1, 0, Bits(4), 1], [true, true, true]);
        merger.Merge(0, [0, 0, Bits(5), 0], [false, true, false]);
        merger.Merge(0, [0, 0, Bits(3), 0], [false, true, false]);
        Assert.Equal([1, 0, Bits(10), 1], merger.Take());

        // Nothing sent: the key is still held, the mouse and the tool are back to the no-op.
        Assert.Equal([1, 0, 0, 0], merger.Take());

        merger.Merge(0, [0, 1, Bits(-2.5f), 0], [true, true, false]);
        Assert.Equal([0, 1, Bits(-2.5f), 0], merger.Take());
        merger.Clear(0);
        Assert.Equal([0, 0, 0, 0], merger.Take());
    }

    private static int Bits(float f) => BitConverter.SingleToInt32Bits(f);
}
