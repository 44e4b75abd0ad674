namespace WorldCluster.Contracts;

/// <summary>One tick of a world as a session receives it: the tick's header and its frame as PNG (see <see cref="FrameMessage"/>).</summary>
/// <param name="Tick">The tick this frame shows.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
/// <param name="StateDigest">Hash of the world state at <paramref name="Tick"/>.</param>
/// <param name="Actions">The actions merged into this tick, one per player slot.</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="Png">The frame as a PNG image.</param>
public sealed record Frame(long Tick, long DurableTick, string StateDigest, int[] Actions, int Width, int Height, byte[] Png)
{
    /// <summary>Decodes a binary session message (see <see cref="FrameMessage.Decode"/>).</summary>
    public static Frame Decode(ReadOnlySpan<byte> message) => FrameMessage.Decode(message);
}
