using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using WorldCluster.Abstractions;
using WorldCluster.Silo.Auth;

namespace WorldCluster.Silo.Api;

/// <summary>
/// Recordings of a world's past, rebuilt exactly from its journal by replay (docs/http-api.md#recordings): the frames as a
/// fragmented MP4, encoded by an <c>ffmpeg</c> child process while the ticks arrive, and the ticks' digests and actions as
/// NDJSON. The grain hands the ticks over in chunks, so memory stays bounded whatever the range.
/// </summary>
public static class RecordingEndpoints
{
    /// <summary>How much each frame is enlarged (nearest neighbour) in the video: small world frames become watchable, and every size even as H.264 4:2:0 needs.</summary>
    public const int VideoScale = 4;

    /// <summary>The frame rate of a recording of an on-demand world (a real-time world's is its tick rate).</summary>
    public const int OnDemandFrameRate = 20;

    /// <summary>Maps <c>GET /api/worlds/{id}/recording</c> and <c>GET /api/worlds/{id}/recording/events</c>.</summary>
    public static IEndpointRouteBuilder MapRecordingApi(this IEndpointRouteBuilder routes)
    {
        var worlds = routes.MapGroup("/api/worlds").RequireRateLimiting(Hosting.GatewayHostingExtensions.ApiRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).RequireAuthorization(WorldPolicies.Watch);
        worlds.MapGet("/{id}/recording", GetVideo).WithSummary("An MP4 of ticks fromTick..toTick, replayed from the journal")
            .Produces(StatusCodes.Status200OK, contentType: "video/mp4").ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        worlds.MapGet("/{id}/recording/events", GetEvents).WithSummary("Ticks fromTick..toTick as NDJSON: tick, stateDigest, actions")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson");
        return routes;
    }

    private static async Task GetEvents(string id, HttpContext context, IGrainFactory grains)
    {
        var first = await FirstChunkAsync(id, context, grains);
        if (first is not { } start)
        {
            return;
        }
        var response = context.Response;
        response.ContentType = "application/x-ndjson";
        response.Headers.CacheControl = "no-store";
        await foreach (var chunk in Chunks(start, context.RequestAborted))
        {
            using var buffer = new MemoryStream();
            foreach (var tick in chunk)
            {
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteNumber("tick", tick.Tick);
                    json.WriteString("stateDigest", tick.StateDigest);
                    json.WritePropertyName("actions");
                    if (tick.Actions is null)
                    {
                        json.WriteNullValue();
                    }
                    else
                    {
                        json.WriteStartArray();
                        foreach (var action in tick.Actions)
                        {
                            json.WriteNumberValue(action);
                        }
                        json.WriteEndArray();
                    }
                    json.WriteEndObject();
                }
                buffer.WriteByte((byte)'\n');
            }
            await response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static async Task GetVideo(string id, HttpContext context, IGrainFactory grains, ILoggerFactory loggers)
    {
        var first = await FirstChunkAsync(id, context, grains);
        if (first is not { } start)
        {
            return;
        }
        var frame = start.Ticks[0].Frame;
        var rate = start.TickHz > 0 ? start.TickHz : OnDemandFrameRate;
        Process ffmpeg;
        try
        {
            ffmpeg = Process.Start(Encoder(frame.Width, frame.Height, rate))!;
        }
        catch (Win32Exception e)
        {
            await Problems.Create(StatusCodes.Status503ServiceUnavailable, "No video encoder",
                $"this gateway cannot run ffmpeg ({e.Message}); install it (build/install-deps.sh)", id).ExecuteAsync(context);
            return;
        }
        var aborted = context.RequestAborted;
        using (ffmpeg)
        using (aborted.Register(() => Kill(ffmpeg)))
        {
            var errors = ffmpeg.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                context.Response.ContentType = "video/mp4";
                context.Response.Headers.CacheControl = "no-store";
                var video = ffmpeg.StandardOutput.BaseStream.CopyToAsync(context.Response.Body, aborted);
                var frames = WriteFramesAsync(start, ffmpeg.StandardInput.BaseStream, aborted);
                await Task.WhenAll(frames, video);
                await ffmpeg.WaitForExitAsync(aborted);
                if (ffmpeg.ExitCode != 0)
                {
                    loggers.CreateLogger(typeof(RecordingEndpoints)).LogWarning("ffmpeg failed recording world {WorldId}: {Errors}", id, await errors);
                    context.Abort();
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or WorldRequestException)
            {
                // The client went away or the grain refused a later chunk: the response is cut, ffmpeg is ended and reaped.
                Kill(ffmpeg);
                await ffmpeg.WaitForExitAsync(CancellationToken.None);
                if (e is WorldRequestException)
                {
                    loggers.CreateLogger(typeof(RecordingEndpoints)).LogWarning(e, "Recording world {WorldId} stopped", id);
                    context.Abort();
                }
            }
        }
    }

    private static async Task WriteFramesAsync(Start start, Stream stdin, CancellationToken cancellationToken)
    {
        await using (stdin)
        {
            await foreach (var chunk in Chunks(start, cancellationToken))
            {
                foreach (var tick in chunk)
                {
                    await stdin.WriteAsync(ToRgb(tick.Frame), cancellationToken);
                }
            }
        }
    }

    private static ProcessStartInfo Encoder(int width, int height, int rate)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
            "-hide_banner", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-r", rate.ToString(CultureInfo.InvariantCulture), "-i", "pipe:0",
            "-vf", $"scale=iw*{VideoScale}:ih*{VideoScale}:flags=neighbor",
            // Near-lossless: world frames are flat colours with hard edges, which default rates smear (docs/http-api.md#recordings).
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "10", "-pix_fmt", "yuv420p",
            "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "pipe:1"])
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }

    // Channels-first uint8 → interleaved RGB: one channel is grey, a fourth (alpha) is dropped.
    private static byte[] ToRgb(WorldFrame frame)
    {
        var plane = frame.Height * frame.Width;
        var rgb = new byte[plane * 3];
        for (var c = 0; c < 3; c++)
        {
            var source = Math.Min(c, frame.Channels - 1) * plane;
            for (var i = 0; i < plane; i++)
            {
                rgb[i * 3 + c] = frame.Pixels[source + i];
            }
        }
        return rgb;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private sealed record Start(IWorldGrain Grain, long FromTick, long ToTick, int TickHz, IReadOnlyList<RecordedTick> Ticks);

    // The range is read and the first chunk fetched before anything is sent, so every refusal is a clean problem answer.
    private static async Task<Start?> FirstChunkAsync(string id, HttpContext context, IGrainFactory grains)
    {
        if (!Contracts.WorldId.IsValid(id))
        {
            await WorldEndpoints.InvalidId(id).ExecuteAsync(context);
            return null;
        }
        if (TickParameter(context.Request, "fromTick") is not { } from || TickParameter(context.Request, "toTick") is not { } to)
        {
            await Problems.Create(StatusCodes.Status400BadRequest, "Invalid range",
                "'fromTick' and 'toTick' are required: whole numbers, fromTick ≤ toTick", id).ExecuteAsync(context);
            return null;
        }
        var grain = grains.GetGrain<IWorldGrain>(id);
        try
        {
            var info = await grain.GetAsync();
            var ticks = await grain.ReplayRangeAsync(new RecordingRequest(from, to));
            return new Start(grain, from, to, info.TickHz, ticks);
        }
        catch (WorldRequestException e)
        {
            await Problems.From(e, id).ExecuteAsync(context);
            return null;
        }
    }

    private static async IAsyncEnumerable<IReadOnlyList<RecordedTick>> Chunks(Start start,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = start.Ticks;
        while (true)
        {
            yield return chunk;
            var next = chunk[^1].Tick + 1;
            if (next > start.ToTick)
            {
                yield break;
            }
            cancellationToken.ThrowIfCancellationRequested();
            chunk = await start.Grain.ReplayRangeAsync(new RecordingRequest(next, start.ToTick));
        }
    }

    private static long? TickParameter(HttpRequest request, string name) =>
        request.Query[name] is [{ } value] && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var tick) ? tick : null;
}
