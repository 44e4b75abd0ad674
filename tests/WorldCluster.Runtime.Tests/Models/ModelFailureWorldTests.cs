using WorldCluster.Abstractions;
using WorldCluster.Models.Tests.Packages;
using WorldCluster.Runtime.Placement;

namespace WorldCluster.Runtime.Tests.Models;

/// <summary>A world of a packaged model whose step turns NaN: the step fails with a clear error and the world keeps its state.</summary>
public sealed class ModelFailureWorldTests : IAsyncLifetime
{
    private PoisonWorldCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PoisonWorldCluster.StartAsync("poison", o => o.MaxQueueDelay = TimeSpan.Zero);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_nan_step_fails_with_model_failed_and_the_world_steps_on_from_its_old_state()
    {
        var world = _cluster.Client.GetGrain<IWorldGrain>("poisoned");
        RequestContext.Set(ModelAwarePlacement.ModelKey, "poison");
        var created = await world.CreateAsync(new CreateWorldRequest("poison", Seed: 5, Players: 1));
        var first = await world.StepAsync(new StepRequest([1]));

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => world.StepAsync(new StepRequest([PoisonTestModel.Poison])));

        Assert.Equal(WorldErrorKind.ModelFailed, e.Kind);
        Assert.Contains("model 'poison@1.0.0' failed the step: its output 'x' holds NaN or infinite values", e.Message, StringComparison.Ordinal);
        var after = await world.GetAsync();
        Assert.Equal((1, first.StateDigest), (after.Tick, after.StateDigest));
        var next = await world.StepAsync(new StepRequest([2]));
        Assert.Equal(2, next.Tick);
        Assert.NotEqual(created.StateDigest, next.StateDigest);
    }
}
