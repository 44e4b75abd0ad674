namespace WorldCluster.Abstractions;

/// <summary>One tick's actions, one per player slot in slot order.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.StepRequest")]
public sealed record StepRequest([property: Id(0)] IReadOnlyList<int> Actions);
