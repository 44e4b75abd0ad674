using WorldCluster.Contracts;

namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>Reads whether a VP8 or VP9 frame is a keyframe from its first header bits (RFC 6386 §9.1; VP9 bitstream spec §6.2).</summary>
internal static class VideoKeyframes
{
    /// <summary>True when the frame decodes on its own.</summary>
    public static bool IsKeyframe(StreamFormat format, ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty)
        {
            return false;
        }
        if (format == StreamFormat.Vp8)
        {
            // The frame tag's lowest bit: 0 is a key frame.
            return (frame[0] & 0x01) == 0;
        }
        // VP9: frame_marker(2) profile_low(1) profile_high(1) [reserved(1) for profile 3] show_existing(1) frame_type(1).
        var b = frame[0];
        if (b >> 6 != 0b10)
        {
            return false;
        }
        var profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
        var bit = profile == 3 ? 2 : 3;
        var showExisting = (b >> bit) & 1;
        var frameType = (b >> (bit - 1)) & 1;
        return showExisting == 0 && frameType == 0;
    }
}
