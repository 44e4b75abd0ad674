using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Worlds;

public sealed class WorldForkTests(WorldClusterFixture fixture) : IClassFixture<WorldClusterFixture>
{
    [Fact]
    public async Task A_fork_at_any_reachable_tick_has_the_sources_digest_at_that_tick_and_leaves_the_source_alone()
    {
        var source = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await source.CreateAsync(new CreateWorldRequest("reference-world", 8, null));
        var digests = new Dictionary<long, string>();
        for (var t = 0; t < 12; t++)
        {
            var r = await source.StepAsync(new StepRequest([t % 6, 4, 2, 1]));
            digests[r.Tick] = r.StateDigest;
        }
        var before = await source.GetAsync();

        foreach (var tick in new long[] { 12, 9, 7, 3 })
        {
            var fork = await source.ForkAsync(new ForkRequest(WorldId.New(), tick));
            Assert.Equal(tick, fork.Tick);
            Assert.Equal(digests[tick], fork.StateDigest);
            Assert.Equal(before.Id, fork.ForkedFrom!.WorldId);
        }
        Assert.Equal(before, await source.GetAsync());
    }

    [Fact]
    public async Task A_fork_steps_exactly_like_its_source()
    {
        var source = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await source.CreateAsync(new CreateWorldRequest("linear-test", 3, null));
        for (var t = 0; t < 4; t++)
        {
            await source.StepAsync(new StepRequest([1, 2]));
        }
        var fork = fixture.Client.GetGrain<IWorldGrain>((await source.ForkAsync(new ForkRequest(WorldId.New(), null))).Id);

        for (var t = 0; t < 4; t++)
        {
            Assert.Equal((await source.StepAsync(new StepRequest([3, t % 4]))).StateDigest, (await fork.StepAsync(new StepRequest([3, t % 4]))).StateDigest);
        }
    }

    [Fact]
    public async Task Forks_outside_the_reachable_ticks_are_refused()
    {
        var source = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await source.CreateAsync(new CreateWorldRequest("reference-world", 8, null));
        await source.StepAsync(new StepRequest([0, 0, 0, 0]));

        var future = await Assert.ThrowsAsync<WorldRequestException>(() => source.ForkAsync(new ForkRequest(WorldId.New(), 5)));
        var negative = await Assert.ThrowsAsync<WorldRequestException>(() => source.ForkAsync(new ForkRequest(WorldId.New(), -1)));
        var self = await Assert.ThrowsAsync<WorldRequestException>(() => source.ForkAsync(new ForkRequest(source.GetPrimaryKeyString(), null)));

        Assert.All([future, negative, self], e => Assert.Equal(WorldErrorKind.BadRequest, e.Kind));
    }

    [Fact]
    public async Task A_hundred_forks_share_one_stored_snapshot()
    {
        var store = (IWorldStore)fixture.Cluster.Silos[0].ServiceProvider.GetService(typeof(IWorldStore))!;
        var source = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await source.CreateAsync(new CreateWorldRequest("reference-world", 77, null));
        for (var t = 0; t < 3; t++)
        {
            await source.StepAsync(new StepRequest([1, 2, 3, 4]));
        }
        var first = await source.ForkAsync(new ForkRequest(WorldId.New(), null));
        var afterOne = await store.GetStoredBytesAsync();

        for (var i = 0; i < 99; i++)
        {
            var fork = await source.ForkAsync(new ForkRequest(WorldId.New(), null));
            Assert.Equal(first.StateDigest, fork.StateDigest);
        }
        var afterHundred = await store.GetStoredBytesAsync();

        // A snapshot of this world is ~13 KB (state + frame); 99 more copies would be ~1.3 MB. Each fork may add only its small head.
        var perFork = (afterHundred - afterOne) / 99.0;
        Assert.True(perFork < 2048, $"each fork added {perFork:F0} bytes; forks must share the snapshot, not copy it");
    }
}
