using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>A silo whose resident state budget is taken by worlds stepping now refuses new worlds, and stores nothing of them.</summary>
public sealed class AdmissionTests : IAsyncLifetime
{
    private static readonly long StateBytes = ReferenceWorld.ReferenceManifest.StoredState.Sum(s => s.ByteCount);
    private InProcessWorldCluster _cluster = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartReferenceWorldAsync("admission", services =>
        // Room for two worlds; a world stepped within the hour counts as working, so nothing here depends on timing.
        services.Configure<ResidentStateOptions>(o =>
        {
            o.ResidentStateBudgetBytes = 2 * StateBytes;
            o.AdmissionWindow = TimeSpan.FromHours(1);
            o.AdmissionRetryAfterSeconds = 3;
        }));

    /// <inheritdoc />
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_full_silo_refuses_a_new_world_with_a_retry_time_and_stores_nothing_of_it()
    {
        var a = _cluster.Client.GetGrain<IWorldGrain>(WorldId.New());
        var b = _cluster.Client.GetGrain<IWorldGrain>(WorldId.New());
        await a.CreateAsync(new CreateWorldRequest("reference-world", 1, 2));
        await b.CreateAsync(new CreateWorldRequest("reference-world", 2, 2));
        await a.StepAsync(new StepRequest([1, 2]));
        await b.StepAsync(new StepRequest([2, 1]));

        var refusedId = WorldId.New();
        var refused = await Assert.ThrowsAsync<WorldRequestException>(() =>
            _cluster.Client.GetGrain<IWorldGrain>(refusedId).CreateAsync(new CreateWorldRequest("reference-world", 3, 2)));
        var fork = await Assert.ThrowsAsync<WorldRequestException>(() => a.ForkAsync(new ForkRequest(WorldId.New(), null)));

        Assert.Equal(WorldErrorKind.Unavailable, refused.Kind);
        Assert.Equal(3, refused.RetryAfterSeconds);
        Assert.Contains("resident state budget", refused.Message, StringComparison.Ordinal);
        Assert.Equal(WorldErrorKind.Unavailable, fork.Kind);
        var store = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IWorldStore>();
        Assert.Null(await store.ReadHeadAsync(refusedId));
        var budget = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<StepBatchers>().Budget;
        Assert.InRange(budget.UsedBytes, 0, budget.BudgetBytes);
        // The admitted worlds step on.
        Assert.Equal(2, (await a.StepAsync(new StepRequest([1, 1]))).Tick);
    }
}
