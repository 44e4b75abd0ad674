namespace WorldCluster.Abstractions;

/// <summary>The frame a viewer sees at a tick: uint8 pixels, channels first.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.WorldFrame")]
public sealed record WorldFrame(
    [property: Id(0)] long Tick,
    [property: Id(1)] int Channels,
    [property: Id(2)] int Height,
    [property: Id(3)] int Width,
    [property: Id(4)] byte[] Pixels);
