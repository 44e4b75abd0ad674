using WorldCluster.Models.Contract;

namespace WorldCluster.Silo.Api;

/// <summary>A served model as <c>GET /api/models</c> shows it.</summary>
public sealed record ModelDescription(
    string Name,
    string Version,
    int MaxPlayers,
    int[] ObservationShape,
    ActionSpaceDescription ActionSpace,
    int ContextLength,
    bool BatchInvariant)
{
    /// <summary>Describes a manifest.</summary>
    public static ModelDescription From(ModelManifest m) => new(
        m.Name,
        m.Version,
        m.MaxPlayers,
        [m.Observation.Channels, m.Observation.Height, m.Observation.Width],
        new ActionSpaceDescription(m.ActionSpace.Type, m.ActionSpace.N, [.. m.ActionSpace.Names]),
        m.ContextLength,
        m.BatchInvariant);
}

/// <summary>The action space of each player slot, e.g. <c>{"type": "discrete", "n": 6}</c>.</summary>
public sealed record ActionSpaceDescription(string Type, int N, string[] Actions);
