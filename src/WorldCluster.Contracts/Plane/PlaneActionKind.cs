namespace WorldCluster.Contracts.Plane;

/// <summary>How a step's action array is packed (the step body's first field).</summary>
public enum PlaneActionKind : ushort
{
    /// <summary>One little-endian int64 per player slot: the action index of a discrete space.</summary>
    DiscreteInt64 = 1,
}
