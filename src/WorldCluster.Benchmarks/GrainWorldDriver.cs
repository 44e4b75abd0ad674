using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Placement;

namespace WorldCluster.Benchmarks;

/// <summary>Reaches worlds as an Orleans client of the in-process silo does: client → grain → batcher → model, no HTTP.</summary>
internal sealed class GrainWorldDriver(IGrainFactory grains) : IWorldDriver
{
    /// <inheritdoc />
    public string Transport => "orleans";

    /// <inheritdoc />
    public async Task<string> CreateAsync(string model, long seed, int players, CancellationToken cancellationToken)
    {
        var id = WorldId.New();
        // Placement happens before the world knows its model (as in the HTTP API).
        RequestContext.Set(ModelAwarePlacement.ModelKey, model);
        await grains.GetGrain<IWorldGrain>(id).CreateAsync(new CreateWorldRequest(model, seed, players));
        return id;
    }

    /// <inheritdoc />
    public Task StepAsync(string id, int[] actions, CancellationToken cancellationToken) =>
        grains.GetGrain<IWorldGrain>(id).StepAsync(new StepRequest(actions));

    /// <inheritdoc />
    public Task DeleteAsync(string id, CancellationToken cancellationToken) => grains.GetGrain<IWorldGrain>(id).DeleteAsync();
}
