namespace WorldCluster.Models.Contract;

/// <summary>What a component of a structured action space holds.</summary>
public enum ActionKind
{
    /// <summary>One of <see cref="ActionComponent.N"/> actions: int64 <c>[B, P]</c>.</summary>
    Discrete,

    /// <summary>Named keys, each held or not: uint8 <c>[B, P, K]</c> of 0 and 1.</summary>
    Keys,

    /// <summary>A float32 vector with names and bounds: float32 <c>[B, P, D]</c>.</summary>
    Box,
}

/// <summary>How a real-time tick merges what a player sent for a component during it.</summary>
public enum ActionMerge
{
    /// <summary>The latest value sent during the tick; nothing sent: the no-op (0). A discrete component's default.</summary>
    Tick,

    /// <summary>The latest value sent, kept until the player sends another (held keys stay held, throttle stays set).</summary>
    Latest,

    /// <summary>Box only: the deltas sent during the tick added up, the running sum clipped to the bounds; nothing sent: 0.</summary>
    Sum,
}

/// <summary>One component of a structured action space.</summary>
/// <param name="Name">The component's name: its member in a dict action (e.g. <c>keys</c>, <c>mouse</c>).</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Names">Discrete: the actions' names; keys: the keys' names; box: each dimension's name.</param>
/// <param name="N">Discrete: the number of actions; keys and box: the number of names.</param>
/// <param name="Low">Box: each dimension's lowest value (at most 0, so that 0 is the no-op); empty otherwise.</param>
/// <param name="High">Box: each dimension's highest value (at least 0); empty otherwise.</param>
/// <param name="Merge">How a real-time tick merges what a player sent.</param>
public sealed record ActionComponent(string Name, ActionKind Kind, IReadOnlyList<string> Names, int N, IReadOnlyList<float> Low, IReadOnlyList<float> High, ActionMerge Merge)
{
    /// <summary>Int32 words the component takes per slot: 1 for discrete, one per key or dimension otherwise.</summary>
    public int Width => Kind == ActionKind.Discrete ? 1 : N;

    /// <summary>The wire and manifest name of <see cref="Kind"/>.</summary>
    public string KindName => Kind switch { ActionKind.Discrete => "discrete", ActionKind.Keys => "keys", _ => "box" };

    /// <summary>The wire and manifest name of <see cref="Merge"/>.</summary>
    public string MergeName => Merge switch { ActionMerge.Tick => "tick", ActionMerge.Latest => "latest", _ => "sum" };

    /// <summary>True when <paramref name="other"/> is the same component.</summary>
    public bool SameAs(ActionComponent other) =>
        Name == other.Name && Kind == other.Kind && N == other.N && Merge == other.Merge && Names.SequenceEqual(other.Names)
        && Low.SequenceEqual(other.Low) && High.SequenceEqual(other.High);
}
