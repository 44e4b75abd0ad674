using WorldCluster.Client;

namespace WorldCluster.Benchmarks;

/// <summary>Reaches worlds through the HTTP API, as any remote client does.</summary>
internal sealed class HttpWorldDriver(WorldClusterClient client) : IWorldDriver
{
    /// <inheritdoc />
    public string Transport => "http";

    /// <inheritdoc />
    public async Task<string> CreateAsync(string model, long seed, int players, CancellationToken cancellationToken) =>
        (await client.CreateWorldAsync(model, seed, players, tickHz: 0, cancellationToken)).Id;

    /// <inheritdoc />
    public Task StepAsync(string id, int[] actions, CancellationToken cancellationToken) => client.StepAsync(id, actions, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(string id, CancellationToken cancellationToken) => client.DeleteAsync(id, cancellationToken);
}
