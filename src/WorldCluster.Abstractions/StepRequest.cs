namespace WorldCluster.Abstractions;

/// <summary>One tick's actions in slot order.</summary>
/// <param name="Actions">
/// Without <paramref name="Json"/>: one action per slot in a discrete space, or the packed words of a structured space
/// (docs/http-api.md, "Actions"). With it: the discrete actions when every one was an integer, else empty.
/// </param>
/// <param name="Json">The actions as a JSON array, as an HTTP client sent them; the world reads them against its own space.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.StepRequest")]
public sealed record StepRequest([property: Id(0)] IReadOnlyList<int> Actions, [property: Id(1)] string? Json = null);
