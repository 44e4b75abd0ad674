namespace WorldCluster.Benchmarks;

/// <summary>How a benchmark creates, steps and deletes on-demand worlds: through the Orleans grain client or over HTTP.</summary>
internal interface IWorldDriver
{
    /// <summary>The transport's name, for the report.</summary>
    string Transport { get; }

    /// <summary>Creates an on-demand world and returns its id.</summary>
    Task<string> CreateAsync(string model, long seed, int players, CancellationToken cancellationToken);

    /// <summary>Steps a world once.</summary>
    Task StepAsync(string id, int[] actions, CancellationToken cancellationToken);

    /// <summary>Deletes a world.</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);
}
