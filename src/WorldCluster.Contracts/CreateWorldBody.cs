namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/worlds</c>.</summary>
/// <param name="Model">Model name (required).</param>
/// <param name="Seed">World seed; a random one when absent.</param>
/// <param name="Players">Player slots; the model's maximum when absent.</param>
/// <param name="TickHz">Real-time tick rate; absent or 0 means on-demand.</param>
public sealed record CreateWorldBody(string Model, long? Seed = null, int? Players = null, int? TickHz = null);
