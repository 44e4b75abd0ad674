namespace WorldCluster.Contracts.Plane;

/// <summary>Header flags (bytes 6-7).</summary>
[Flags]
public enum PlaneOptions : ushort
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Step/Result: no frames (the frame section is empty).</summary>
    NoFrames = 1,
}
