using WorldCluster.Abstractions;
using WorldCluster.Models.Tests.Packages;
using WorldCluster.Runtime.Placement;

namespace WorldCluster.Runtime.Tests.Models;

/// <summary>
/// Three worlds of a model that is not batch-invariant step in one batch and one of them turns NaN: that world fails by
/// name and keeps its state, the other two advance as a batch of two would have advanced them.
/// </summary>
public sealed class ModelFailureBatchWorldTests : IAsyncLifetime
{
    private const int Worlds = 3;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private PoisonWorldCluster _cluster = null!;

    // A batch runs only when all three worlds are in it; the long delay only bounds a test that would otherwise hang.
    public async Task InitializeAsync() => _cluster = await PoisonWorldCluster.StartAsync("poison-batch",
        o => (o.MaxBatchSize, o.MaxQueueDelay) = (Worlds, TimeSpan.FromMinutes(1)), weights: "batch-sized", batchInvariant: false);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task The_poisoned_world_fails_unchanged_and_its_batch_mates_advance_as_a_batch_without_it()
    {
        RequestContext.Set(ModelAwarePlacement.ModelKey, "poison");
        var worlds = new[] { "batch-a", "batch-poisoned", "batch-b" }.Select(id => _cluster.Client.GetGrain<IWorldGrain>(id)).ToArray();
        var created = await Task.WhenAll(worlds.Select((w, i) => w.CreateAsync(new CreateWorldRequest("poison", Seed: 10 * (i + 1), Players: 1)))).WaitAsync(Deadline);

        var steps = worlds.Select((w, i) => w.StepAsync(new StepRequest([i == 1 ? PoisonTestModel.Poison : 1]))).ToArray();

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => steps[1].WaitAsync(Deadline));
        Assert.Equal(WorldErrorKind.ModelFailed, e.Kind);
        Assert.Contains("holds NaN or infinite values for world 'batch-poisoned'", e.Message, StringComparison.Ordinal);
        var poisoned = await worlds[1].GetAsync();
        Assert.Equal((0L, created[1].StateDigest), (poisoned.Tick, poisoned.StateDigest));
        foreach (var i in new[] { 0, 2 })
        {
            var stepped = await steps[i].WaitAsync(Deadline);
            Assert.Equal(1, stepped.Tick);
            var frame = await worlds[i].GetFrameAsync();
            // x[0] = seed + action; x[1] = the size of the batch the step ran in: two, not three with the failed world.
            Assert.Equal(new byte[] { (byte)((10 * (i + 1)) + 1), 2 }, frame.Pixels);
        }
    }
}
