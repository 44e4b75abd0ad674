namespace WorldCluster.Contracts;

/// <summary>How a session's frames are encoded: exact PNG, per-frame JPEG or WebP, or a VP8/VP9 video stream.</summary>
public enum StreamFormat
{
    /// <summary>Every frame a lossless PNG (the default, and the exact fallback).</summary>
    Png,
    /// <summary>Every frame a JPEG at the gateway's quality.</summary>
    Jpeg,
    /// <summary>Every frame a lossy WebP at the gateway's quality.</summary>
    Webp,
    /// <summary>A VP8 video stream: one VP8 frame per message, keyframes marked.</summary>
    Vp8,
    /// <summary>A VP9 (profile 0) video stream: one VP9 frame per message, keyframes marked.</summary>
    Vp9,
}

/// <summary>Names, parsing and WebCodecs codec strings of <see cref="StreamFormat"/>.</summary>
public static class StreamFormats
{
    /// <summary>The names a session's <c>format</c> query takes, in the order docs list them.</summary>
    public static readonly IReadOnlyList<string> Names = ["png", "jpeg", "webp", "vp8", "vp9"];

    /// <summary>Parses a <c>format</c> value (absent or empty means <c>png</c>); false for anything else.</summary>
    public static bool TryParse(string? text, out StreamFormat format)
    {
        (var known, format) = text switch
        {
            null or "" or "png" => (true, StreamFormat.Png),
            "jpeg" or "jpg" => (true, StreamFormat.Jpeg),
            "webp" => (true, StreamFormat.Webp),
            "vp8" => (true, StreamFormat.Vp8),
            "vp9" => (true, StreamFormat.Vp9),
            _ => (false, StreamFormat.Png),
        };
        return known;
    }

    /// <summary>The format's name as messages and queries spell it.</summary>
    public static string Name(this StreamFormat format) => Names[(int)format];

    /// <summary>True for video formats, whose frames depend on the ones before back to a keyframe.</summary>
    public static bool IsVideo(this StreamFormat format) => format is StreamFormat.Vp8 or StreamFormat.Vp9;

    /// <summary>The WebCodecs <c>VideoDecoder</c> codec string of a video format; null for image formats.</summary>
    public static string? Codec(this StreamFormat format) => format switch
    {
        StreamFormat.Vp8 => "vp8",
        // Profile 0, level 1.0, 8-bit: what the gateway's libvpx-vp9 settings produce.
        StreamFormat.Vp9 => "vp09.00.10.08",
        _ => null,
    };
}
