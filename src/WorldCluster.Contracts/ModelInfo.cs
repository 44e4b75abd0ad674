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

/// <summary>
/// The action space of each player slot, e.g. <c>{"type": "discrete", "n": 6, "actions": [...]}</c>, or a structured space
/// (<c>keys</c>, <c>box</c>, <c>dict</c>) described by its components (docs/http-api.md, "Actions").
/// </summary>
/// <param name="Type">Kind of space: <c>discrete</c>, <c>keys</c>, <c>box</c> or <c>dict</c>.</param>
/// <param name="N">Number of actions of a discrete space; valid actions are 0..N-1 (0 for a structured space).</param>
/// <param name="Actions">The discrete actions' names, by number (empty for a structured space).</param>
/// <param name="Components">A structured space's components, in order (a keys or box space has one); null for discrete.</param>
public sealed record ActionSpaceInfo(string Type, int N, string[] Actions, ActionComponentInfo[]? Components = null);

/// <summary>One component of a structured action space.</summary>
/// <param name="Name">Its member in a dict action (e.g. <c>keys</c>, <c>mouse</c>); the type's name for a keys or box space.</param>
/// <param name="Type"><c>discrete</c>, <c>keys</c> or <c>box</c>.</param>
/// <param name="Names">Discrete: the actions' names; keys: the keys; box: each dimension's name.</param>
/// <param name="N">Discrete: the number of actions; keys and box: the number of names.</param>
/// <param name="Low">Box: each dimension's lowest value; null otherwise.</param>
/// <param name="High">Box: each dimension's highest value; null otherwise.</param>
/// <param name="Merge">How a real-time tick merges what a player sent: <c>tick</c>, <c>latest</c> or <c>sum</c>.</param>
public sealed record ActionComponentInfo(string Name, string Type, string[] Names, int N, float[]? Low, float[]? High, string Merge);
