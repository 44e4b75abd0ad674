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
    /// <summary>The response header naming the recording's first tick (the video's first frame).</summary>
    public const string FromTickHeader = "X-Recording-From-Tick";

    /// <summary>The response header naming the recording's last tick.</summary>
    public const string ToTickHeader = "X-Recording-To-Tick";

    /// <summary>Maps <c>GET /api/worlds/{id}/recording</c> and <c>GET /api/worlds/{id}/recording/events</c>.</summary>
    public static IEndpointRouteBuilder MapRecordingApi(this IEndpointRouteBuilder routes)
    {
        var worlds = routes.MapGroup("/api/worlds").RequireRateLimiting(Hosting.GatewayHostingExtensions.ApiRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).RequireAuthorization(WorldPolicies.Watch);
        worlds.MapGet("/{id}/recording", GetVideo).WithSummary("An MP4 of ticks fromTick..toTick, replayed from the journal")
            .Produces<Stream>(StatusCodes.Status200OK, "video/mp4").ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        worlds.MapGet("/{id}/recording/events", GetEvents).WithSummary("Ticks fromTick..toTick as NDJSON: tick, stateDigest, actions")
            .Produces<Stream>(StatusCodes.Status200OK, "application/x-ndjson");
        return routes;
    }

    private static async Task GetEvents(string id, [AsParameters] RecordingQuery query, HttpContext context, IGrainFactory grains, ILoggerFactory loggers)
    {
        var first = await FirstChunkAsync(id, query, context, grains);
        if (first is not { } start)
        {
            return;
        }
        var response = context.Response;
        response.ContentType = "application/x-ndjson";
        Describe(response, start);
        try
        {
            await WriteEventsAsync(start, response, context.RequestAborted);
        }
        catch (WorldRequestException e)
        {
            // A later chunk was refused: the answer is already under way, so it is cut, never ended as if complete.
            loggers.CreateLogger(typeof(RecordingEndpoints)).LogWarning(e, "Recording world {WorldId} stopped", id);
            context.Abort();
        }
    }

    private static async Task WriteEventsAsync(Start start, HttpResponse response, CancellationToken cancellationToken)
    {
        await foreach (var chunk in Chunks(start, cancellationToken))
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
            await response.Body.WriteAsync(buffer.ToArray(), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
    }

    private static async Task GetVideo(string id, [AsParameters] RecordingQuery query, HttpContext context, IGrainFactory grains, ILoggerFactory loggers)
    {
        var first = await FirstChunkAsync(id, query, context, grains);
        if (first is not { } start)
        {
            return;
        }
        var frame = start.Ticks[0].Frame;
        var encoder = start.Encoder;
        if (!encoder.Fits(frame.Width, frame.Height))
        {
            await Problems.Create(StatusCodes.Status400BadRequest, "Invalid scale",
                $"'scale' {encoder.Scale} makes frames of {frame.Width}x{frame.Height} odd-sized, which lossy video cannot hold; use an even scale or lossless=true", id).ExecuteAsync(context);
            return;
        }
        var rate = start.TickHz > 0 ? start.TickHz : RecordingEncoder.OnDemandFrameRate;
        Process ffmpeg;
        try
        {
            ffmpeg = Process.Start(encoder.StartInfo(frame.Width, frame.Height, rate))!;
        }
        catch (Win32Exception e)
        {
            await Problems.Create(StatusCodes.Status503ServiceUnavailable, "No video encoder",
                $"this gateway cannot run ffmpeg ({e.Message}); install it (build/install-deps.sh)", id).ExecuteAsync(context);
            return;
        }
        var aborted = context.RequestAborted;
        using (ffmpeg)
        using (aborted.Register(() => RecordingEncoder.Kill(ffmpeg)))
        {
            var errors = ffmpeg.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                context.Response.ContentType = "video/mp4";
                Describe(context.Response, start);
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
                RecordingEncoder.Kill(ffmpeg);
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
                    await stdin.WriteAsync(RecordingEncoder.ToRgb(tick.Frame), cancellationToken);
                }
            }
        }
    }

    private sealed record Start(IWorldGrain Grain, long FromTick, long ToTick, int TickHz, RecordingEncoder Encoder, IReadOnlyList<RecordedTick> Ticks);

    // Frame i of the video is tick FromTick + i; the headers say so before the first byte of the body.
    private static void Describe(HttpResponse response, Start start)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers[FromTickHeader] = start.FromTick.ToString(CultureInfo.InvariantCulture);
        response.Headers[ToTickHeader] = start.ToTick.ToString(CultureInfo.InvariantCulture);
    }

    // The range is read and the first chunk fetched before anything is sent, so every refusal is a clean problem answer.
    private static async Task<Start?> FirstChunkAsync(string id, RecordingQuery query, HttpContext context, IGrainFactory grains)
    {
        if (!Contracts.WorldId.IsValid(id))
        {
            await WorldEndpoints.InvalidId(id).ExecuteAsync(context);
            return null;
        }
        var (problem, (from, to, encoder)) = query.Read();
        if (problem is not null)
        {
            await Problems.Create(StatusCodes.Status400BadRequest, "Invalid recording request", problem, id).ExecuteAsync(context);
            return null;
        }
        var grain = grains.GetGrain<IWorldGrain>(id);
        try
        {
            var info = await grain.GetAsync();
            var ticks = await grain.ReplayRangeAsync(new RecordingRequest(from, to));
            return new Start(grain, from, to, info.TickHz, encoder, ticks);
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
}
