namespace WorldCluster.Contracts;

/// <summary>A model the cluster serves, as <c>GET /api/models</c> describes it.</summary>
/// <param name="Name">Model name, used to create worlds.</param>
/// <param name="Version">Model version.</param>
/// <param name="MaxPlayers">Most player slots a world of this model can have.</param>
/// <param name="ObservationShape">Frame shape as <c>[channels, height, width]</c>.</param>
/// <param name="ActionSpace">The actions each player slot can take.</param>
/// <param name="ContextLength">Recent states the model looks at.</param>
/// <param name="BatchInvariant">True when a world's results never depend on which worlds share its batch.</param>
public sealed record ModelInfo(
    string Name,
    string Version,
    int MaxPlayers,
    int[] ObservationShape,
    ActionSpaceInfo ActionSpace,
    int ContextLength,
    bool BatchInvariant);

/// <summary>The action space of each player slot, e.g. <c>{"type": "discrete", "n": 6, "actions": [...]}</c>.</summary>
/// <param name="Type">Kind of space (<c>discrete</c>).</param>
/// <param name="N">Number of actions; valid actions are 0..N-1.</param>
/// <param name="Actions">The actions' names, by number.</param>
public sealed record ActionSpaceInfo(string Type, int N, string[] Actions);
