using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Agents;

/// <summary>What one environment id of a plane connection means: a world, its slots and action count, and its episode.</summary>
/// <param name="World">The world's grain.</param>
/// <param name="Id">The world id.</param>
/// <param name="Players">Player slots (action components per step).</param>
/// <param name="ActionCount">Actions of the model's discrete space; null when this gateway does not load the model (the world checks).</param>
/// <param name="MaxEpisodeSteps">Steps after which results mark it truncated (0: never).</param>
/// <param name="StartTick">The world's tick when it was bound: the episode's first tick.</param>
internal sealed record PlaneBinding(IWorldGrain World, string Id, int Players, int? ActionCount, uint MaxEpisodeSteps, long StartTick);
