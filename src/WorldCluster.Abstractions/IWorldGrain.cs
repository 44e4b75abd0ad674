namespace WorldCluster.Abstractions;

/// <summary>One persistent world: its state, its tick sequence and its model, keyed by world id.</summary>
[Alias("WorldCluster.IWorldGrain")]
public interface IWorldGrain : IGrainWithStringKey
{
    /// <summary>Creates the world from a model and a seed; fails with <see cref="WorldErrorKind.Conflict"/> if it exists.</summary>
    [Alias("Create")]
    Task<WorldInfo> CreateAsync(CreateWorldRequest request);

    /// <summary>The world's id, model, tick, player slots and state digest.</summary>
    [Alias("Get")]
    Task<WorldInfo> GetAsync();

    /// <summary>Advances the world one tick with one action per player slot and makes the tick durable.</summary>
    [Alias("Step")]
    Task<StepResult> StepAsync(StepRequest request);

    /// <summary>The frame of the world's current tick.</summary>
    [Alias("GetFrame")]
    Task<WorldFrame> GetFrameAsync();
}
