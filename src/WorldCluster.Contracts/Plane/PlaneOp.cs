namespace WorldCluster.Contracts.Plane;

/// <summary>What a step does to one environment (one byte each in the step body).</summary>
public enum PlaneOp : byte
{
    /// <summary>Step the world one tick with this environment's actions.</summary>
    Step = 0,

    /// <summary>Only observe the world (its actions are ignored; rewards are zeros): a freshly bound world's first observation.</summary>
    Observe = 1,
}
