namespace WorldCluster.Contracts;

/// <summary>How a batch answer carries frames: raw uint8 bytes (channels first, for numpy), PNG, or not at all.</summary>
public enum FrameEncoding
{
    /// <summary>The frame's uint8 bytes in <c>[C, H, W]</c> order, base64 in JSON.</summary>
    Raw,
    /// <summary>A PNG image, base64 in JSON.</summary>
    Png,
    /// <summary>No frame (fastest: only tick, digest and rewards).</summary>
    None,
}

/// <summary>Parses <see cref="FrameEncoding"/>.</summary>
public static class FrameEncodings
{
    /// <summary>Parses <c>raw</c>, <c>png</c> or <c>none</c> (absent means <c>raw</c>); false for anything else.</summary>
    public static bool TryParse(string? text, out FrameEncoding encoding)
    {
        (var known, encoding) = text switch
        {
            null or "raw" => (true, FrameEncoding.Raw),
            "png" => (true, FrameEncoding.Png),
            "none" => (true, FrameEncoding.None),
            _ => (false, FrameEncoding.Raw),
        };
        return known;
    }
}
