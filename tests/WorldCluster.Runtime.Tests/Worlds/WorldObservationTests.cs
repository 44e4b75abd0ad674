using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Worlds;

public sealed class WorldObservationTests(WorldClusterFixture fixture) : IClassFixture<WorldClusterFixture>
{
    [Fact]
    public async Task A_step_observed_is_the_same_tick_as_a_plain_step_with_its_frame()
    {
        var observed = await Create("reference-world", seed: 61, players: 2);
        var plain = await Create("reference-world", seed: 61, players: 2);

        var o = await observed.StepObservedAsync(new StepRequest([2, 4]));
        var p = await plain.StepAsync(new StepRequest([2, 4]));

        Assert.Equal((p.Tick, p.StateDigest, p.DurableTick), (o.Tick, o.StateDigest, o.DurableTick));
        var frame = await observed.GetFrameAsync();
        Assert.Equal(frame.Pixels, o.Frame.Pixels);
        Assert.Equal(1, o.Frame.Tick);
    }

    [Fact]
    public async Task Rewards_are_each_slots_score_change_and_add_up_to_the_scores()
    {
        // A fixed walk in fixed worlds: the reference world is exact, so the same gems are found on every run.
        var worlds = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Create("reference-world", seed: 200 + i, players: 2)));
        var totals = new int[worlds.Length, 2];
        var random = new Random(5);
        for (var t = 0; t < 120; t++)
        {
            var steps = await Task.WhenAll(worlds.Select(w => w.StepObservedAsync(new StepRequest([random.Next(1, 5), random.Next(1, 5)]))));
            for (var i = 0; i < worlds.Length; i++)
            {
                Assert.Equal(2, steps[i].Rewards!.Count);
                totals[i, 0] += steps[i].Rewards![0];
                totals[i, 1] += steps[i].Rewards![1];
            }
        }

        var found = 0;
        for (var i = 0; i < worlds.Length; i++)
        {
            var now = await worlds[i].ObserveAsync();
            Assert.Equal([totals[i, 0], totals[i, 1]], now.Scores);
            Assert.Equal([0, 0], now.Rewards);
            found += now.Scores!.Sum();
        }
        Assert.True(found > 0, "no walker collected a gem");
    }

    [Fact]
    public async Task A_model_without_scores_reports_none()
    {
        var world = await Create("linear-test", seed: 1, players: 2);

        var stepped = await world.StepObservedAsync(new StepRequest([1, 2]));

        Assert.Null(stepped.Scores);
        Assert.Null(stepped.Rewards);
        Assert.Null((await world.ObserveAsync()).Scores);
    }

    [Fact]
    public async Task A_refused_observed_step_changes_nothing()
    {
        var world = await Create("reference-world", seed: 62, players: 1);
        var before = await world.ObserveAsync();

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => world.StepObservedAsync(new StepRequest([6])));

        Assert.Equal(WorldErrorKind.BadRequest, e.Kind);
        Assert.Equal(before.StateDigest, (await world.ObserveAsync()).StateDigest);
    }

    private async Task<IWorldGrain> Create(string model, long seed, int players)
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await world.CreateAsync(new CreateWorldRequest(model, seed, players));
        return world;
    }
}
