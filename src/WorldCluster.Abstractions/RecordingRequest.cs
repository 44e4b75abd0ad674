namespace WorldCluster.Abstractions;

/// <summary>Asks for the ticks of a world's recording from <paramref name="FromTick"/> on, at most <see cref="ChunkTicks"/> of them, none past <paramref name="ToTick"/>.</summary>
/// <param name="FromTick">The first tick of this chunk.</param>
/// <param name="ToTick">The last tick of the whole recording (checked against the world's history on every chunk).</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.RecordingRequest")]
public sealed record RecordingRequest(
    [property: Id(0)] long FromTick,
    [property: Id(1)] long ToTick)
{
    /// <summary>The most ticks one recording may span.</summary>
    public const int MaxTicks = 36_000;

    /// <summary>The most ticks one grain call returns: a chunk's frames stay small, whatever the recording's length.</summary>
    public const int ChunkTicks = 64;
}
