namespace WorldCluster.Abstractions;

/// <summary>Asks for a new world of a model, started from a seed.</summary>
/// <param name="Model">Model name, as listed by <c>GET /api/models</c>.</param>
/// <param name="Seed">World seed: equal seeds give equal worlds.</param>
/// <param name="Players">Player slots (1..model max); null means the model's maximum.</param>
/// <param name="TickHz">Real-time tick rate (1..60); 0 or null means on-demand.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.CreateWorldRequest")]
public sealed record CreateWorldRequest(
    [property: Id(0)] string Model,
    [property: Id(1)] long Seed,
    [property: Id(2)] int? Players,
    [property: Id(3)] int? TickHz = null);
