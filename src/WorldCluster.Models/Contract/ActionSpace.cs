namespace WorldCluster.Models.Contract;

/// <summary>
/// The action space of each player slot: <c>discrete</c> (one of <paramref name="N"/> named actions, the model gets int64
/// <c>[B, P]</c>), or a structured space — <c>keys</c>, <c>box</c> or a <c>dict</c> of components — whose model gets one
/// tensor per component (see <see cref="Components"/> and docs/model-packages.md).
/// </summary>
/// <param name="Type"><c>discrete</c>, <c>keys</c>, <c>box</c> or <c>dict</c>.</param>
/// <param name="N">Actions of a discrete space (0 for a structured one).</param>
/// <param name="Names">The discrete actions' names, by number (empty for a structured space).</param>
public sealed record ActionSpace(string Type, int N, IReadOnlyList<string> Names)
{
    /// <summary>The type of today's spaces: one integer per player slot.</summary>
    public const string DiscreteType = "discrete";

    /// <summary>The type of a space of several named components.</summary>
    public const string DictType = "dict";

    /// <summary>
    /// A structured space's components in the order the model receives their tensors (a <c>keys</c> or <c>box</c> space
    /// has one); empty for a discrete space.
    /// </summary>
    public IReadOnlyList<ActionComponent> Components { get; init; } = [];

    /// <summary>True for today's discrete space (one integer per slot).</summary>
    public bool IsDiscrete => Type == DiscreteType;

    /// <summary>
    /// Int32 words one slot's action takes in a step request, a journal record and the batcher (discrete: 1; structured:
    /// the components' widths, floats as their IEEE-754 bits so that they travel and replay exactly).
    /// </summary>
    public int Width => IsDiscrete ? 1 : Components.Sum(c => c.Width);

    /// <summary>A discrete space with named actions; action 0 is the no-op.</summary>
    public static ActionSpace Discrete(params string[] names) => new(DiscreteType, names.Length, names);

    /// <summary>A structured space (<c>keys</c> or <c>box</c> with one component, <c>dict</c> with one or more).</summary>
    public static ActionSpace Structured(string type, params ActionComponent[] components) => new(type, 0, []) { Components = components };

    /// <summary>True when <paramref name="action"/> is inside a discrete space.</summary>
    public bool Contains(int action) => action >= 0 && action < N;

    /// <summary>True when <paramref name="other"/> takes the same actions (type, count, and each component's names, bounds and merge rule).</summary>
    public bool SameAs(ActionSpace other) =>
        other is not null && Type == other.Type && N == other.N
        && Components.Count == other.Components.Count && Components.Zip(other.Components).All(p => p.First.SameAs(p.Second));
}
