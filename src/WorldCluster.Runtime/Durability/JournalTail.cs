namespace WorldCluster.Runtime.Durability;

/// <summary>What <see cref="JournalCodec.Decode"/> found at the end of a segment.</summary>
public sealed class JournalTail
{
    /// <summary>True when the segment ends in a record a crash cut short (never acknowledged, so safe to abandon).</summary>
    public bool Torn { get; internal set; }
}
