using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using static WorldCluster.Models.Tests.Reference.ReferenceTestKit;

namespace WorldCluster.Models.Tests.Reference;

/// <summary>A world's step result depends only on its own row: batch size, neighbours and padding change nothing.</summary>
public sealed class ReferenceWorldBatchTests : IDisposable
{
    private readonly ReferenceWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(17)]
    public void Stepping_worlds_together_equals_stepping_each_alone(int worlds)
    {
        var seeds = Enumerable.Range(0, worlds).Select(i => new WorldSeed(500 + 31 * i, 1 + i % ReferenceGeometry.MaxPlayers)).ToArray();
        var random = new Random(worlds);
        var (together, _) = Init(_world, seeds);
        var alone = together.ToArray();

        for (var tick = 0; tick < 8; tick++)
        {
            var actions = seeds.Select(_ => RandomActions(random)).ToArray();
            (together, var togetherFrames) = StepBatch(_world, together, actions);
            for (var w = 0; w < worlds; w++)
            {
                var (single, singleFrame) = StepBatch(_world, [alone[w]], [actions[w]]);
                alone[w] = single[0];
                Assert.Equal(alone[w].Tensors.Select(t => t.Data), together[w].Tensors.Select(t => t.Data));
                Assert.Equal(singleFrame[0], togetherFrames[w]);
            }
        }
    }

    [Fact]
    public void Padding_rows_do_not_change_the_real_rows()
    {
        var seeds = Enumerable.Range(0, 5).Select(i => new WorldSeed(900 + i, 4)).ToArray();
        var random = new Random(3);
        var (plain, _) = Init(_world, seeds);
        var padded = plain.ToArray();

        for (var tick = 0; tick < 8; tick++)
        {
            var actions = seeds.Select(_ => RandomActions(random)).ToArray();
            (plain, var plainFrames) = StepBatch(_world, plain, actions);
            (padded, var paddedFrames) = StepBatch(_world, padded, actions, batchSize: 8);
            Assert.Equal(plain.Select(Hash), padded.Select(Hash));
            Assert.Equal(plainFrames, paddedFrames);
        }
    }

    [Fact]
    public void The_batched_tensor_rules_match_a_plain_one_cell_at_a_time_implementation()
    {
        var seeds = Enumerable.Range(0, 12).Select(i => new WorldSeed(7000 + i, 1 + i % ReferenceGeometry.MaxPlayers)).ToArray();
        var random = new Random(12);
        var (states, _) = Init(_world, seeds);
        var expected = states.Select(ReferenceWorldState.From).ToArray();
        var doorsToggled = 0;
        var pushes = 0;
        var gems = 0;

        for (var tick = 0; tick < 300; tick++)
        {
            // Interact and moves often, and now and then an action outside the space.
            var actions = seeds.Select(_ => Enumerable.Range(0, ReferenceGeometry.MaxPlayers)
                .Select(_ => random.Next(20) == 0 ? 7L : random.Next(6)).ToArray()).ToArray();
            (states, _) = StepBatch(_world, states, actions);
            for (var w = 0; w < seeds.Length; w++)
            {
                var before = expected[w];
                expected[w] = ScalarReferenceRules.Step(before, actions[w]);
                doorsToggled += before.Count(CellType.OpenDoor) != expected[w].Count(CellType.OpenDoor) ? 1 : 0;
                pushes += Enumerable.Range(0, 32 * 32).Count(i => before[i / 32, i % 32] == CellType.Crate && expected[w][i / 32, i % 32] != CellType.Crate);
                gems += Enumerable.Range(0, 4).Sum(s => expected[w].Score(s) - before.Score(s));
                Assert.Equal(Hash(expected[w].ToWorldState()), Hash(states[w]));
            }
        }

        // The run exercised the rules it compares.
        Assert.True(doorsToggled > 0 && pushes > 0 && gems > 0, $"doors {doorsToggled}, pushes {pushes}, gems {gems}");
    }

    private static long[] RandomActions(Random random) =>
        [.. Enumerable.Range(0, ReferenceGeometry.MaxPlayers).Select(_ => (long)random.Next(6))];
}
