using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace WorldCluster.Silo.Api;

/// <summary>
/// The query of <c>GET /api/worlds/{id}/recording</c> and <c>/recording/events</c>, bound as text so that every refusal
/// names its parameter (docs/http-api.md#recordings).
/// </summary>
/// <param name="FromTick">The first tick (the video's first frame).</param>
/// <param name="ToTick">The last tick, inclusive.</param>
/// <param name="Lossless">true: RGB H.264 at -qp 0, decodes to the world's frames bit for bit; false (default): 4:2:0 H.264 at CRF 10.</param>
/// <param name="Scale">How much each frame is enlarged, nearest neighbour: 1 to 8 (default 4 for lossy, 1 for lossless video).</param>
public sealed record RecordingQuery(
    [FromQuery(Name = "fromTick")] string? FromTick,
    [FromQuery(Name = "toTick")] string? ToTick,
    [FromQuery(Name = "lossless")] string? Lossless,
    [FromQuery(Name = "scale")] string? Scale)
{
    /// <summary>The range and the encoder asked for, or a problem naming the parameter to fix.</summary>
    public (string? Problem, (long From, long To, RecordingEncoder Encoder) Value) Read()
    {
        if (Tick(FromTick) is not { } from)
        {
            return ("'fromTick' is required: a tick, a whole number ≥ 0", default);
        }
        if (Tick(ToTick) is not { } to)
        {
            return ("'toTick' is required: a tick, a whole number ≥ 0", default);
        }
        if (from > to)
        {
            return ($"'fromTick' ({from}) must not be after 'toTick' ({to})", default);
        }
        var lossless = false;
        if (Lossless is not null && !bool.TryParse(Lossless, out lossless))
        {
            return ("'lossless' must be true or false", default);
        }
        var scale = lossless ? 1 : RecordingEncoder.DefaultLossyScale;
        if (Scale is not null && !(int.TryParse(Scale, NumberStyles.None, CultureInfo.InvariantCulture, out scale) && scale is >= 1 and <= RecordingEncoder.MaxScale))
        {
            return ($"'scale' must be a whole number from 1 to {RecordingEncoder.MaxScale}", default);
        }
        return (null, (from, to, new RecordingEncoder(lossless, scale)));
    }

    private static long? Tick(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var tick) ? tick : null;
}
