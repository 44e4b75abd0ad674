namespace WorldCluster.Contracts;

/// <summary>One tick of a world in any <see cref="StreamFormat"/>: the tick's header and its encoded payload (see <see cref="FrameMessage"/>).</summary>
/// <param name="Tick">The tick this frame shows.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
/// <param name="StateDigest">Hash of the world state at <paramref name="Tick"/>.</param>
/// <param name="Actions">The actions merged into this tick, one per player slot.</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="Format">The payload's format name (<c>png</c>, <c>jpeg</c>, <c>webp</c>, <c>vp8</c>, <c>vp9</c>).</param>
/// <param name="Keyframe">True when the payload decodes on its own (always for image formats).</param>
/// <param name="Payload">The encoded frame: an image file, or one VP8/VP9 frame.</param>
public sealed record StreamFrame(long Tick, long DurableTick, string StateDigest, int[] Actions, int Width, int Height, string Format, bool Keyframe, byte[] Payload)
{
    /// <summary>Decodes a binary session message of any format (see <see cref="FrameMessage.DecodeStream"/>).</summary>
    public static StreamFrame Decode(ReadOnlySpan<byte> message) => FrameMessage.DecodeStream(message);
}
