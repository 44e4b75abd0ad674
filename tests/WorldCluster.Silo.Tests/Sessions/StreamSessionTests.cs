using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Contracts;
using WorldCluster.Silo.Sessions;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Sessions;

/// <summary>Sessions that ask for encoded frames, against a real host whose streams keyframe every 5 frames.</summary>
public sealed class StreamSessionTests : IAsyncLifetime
{
    private const int KeyframeInterval = 5;
    private const int Capacity = 4;
    // Mean absolute difference per 0-255 sample between a decoded lossy frame and the world's PNG of the same tick.
    private const double Tolerance = 12;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly SiloHostFixture _host = SiloHostFixture.With("streams",
        "--WorldCluster:Gateway:KeyframeInterval", $"{KeyframeInterval}", "--WorldCluster:Gateway:SessionFrameCapacity", $"{Capacity}");

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Theory]
    [InlineData("vp8")]
    [InlineData("vp9")]
    public async Task A_video_session_decodes_into_one_frame_per_tick_with_the_ticks_of_the_world(string format)
    {
        var id = await CreateWorld(21);
        await using var viewer = await Connect(id, $"role=spectator&format={format}");
        await viewer.WaitUntil(c => c.Streamed.Count >= 1, Deadline);
        // Each step waits for its frame: this host queues only 4 frames per viewer before it drops to a keyframe.
        for (var i = 0; i < 12; i++)
        {
            await Step(id, i % 5);
            await viewer.WaitUntil(c => c.Streamed[^1].Tick == i + 1, Deadline);
        }
        await viewer.WaitUntil(c => c.Streamed.Count > 0 && c.Streamed[^1].Tick == 12, Deadline);

        var welcome = viewer.Texts[0];
        Assert.Equal(format, welcome.GetProperty("format").GetString());
        Assert.Equal(StreamFormats.Codec(format == "vp8" ? StreamFormat.Vp8 : StreamFormat.Vp9), welcome.GetProperty("codec").GetString());
        var frames = viewer.Streamed;
        Assert.Equal(Enumerable.Range(0, 13).Select(t => (long)t), frames.Select(f => f.Tick));
        Assert.All(frames, f => Assert.Equal(format, f.Format));
        Assert.True(frames[0].Keyframe, "a new viewer starts at a keyframe");
        var path = Path.Combine(_host.DataRoot, $"{id}.ivf");
        VideoTools.WriteIvf(path, frames);
        var (packets, decoded) = VideoTools.Probe(path);
        Assert.Equal(13, decoded);
        Assert.Equal(frames.Select(f => f.Tick), packets.Select(p => p.Pts));
        Assert.Equal(frames.Select(f => f.Keyframe), packets.Select(p => p.Key));
        var last = VideoTools.DecodeRgb(path, 64, 64)[^1];
        var png = VideoTools.DecodeImage(await _host.Http.GetByteArrayAsync($"/api/worlds/{id}/frame")).Rgb;
        var diff = VideoTools.MeanAbsoluteDifference(png, last);
        Assert.True(diff < Tolerance, $"decoded tick 12 differs from the world's PNG by {diff:F1} on average");
    }

    [Fact]
    public async Task A_viewer_joining_mid_stream_starts_at_a_keyframe_and_the_stream_keyframes_at_once_for_it()
    {
        var id = await CreateWorld(22);
        await using var first = await Connect(id, "role=spectator&format=vp8");
        await first.WaitUntil(c => c.Streamed.Count >= 1, Deadline);
        for (var i = 0; i < 3; i++)
        {
            await Step(id, 1);
        }
        await first.WaitUntil(c => c.Streamed[^1].Tick == 3, Deadline);
        await using var late = await Connect(id, "role=spectator&format=vp8");
        await late.WaitUntil(c => c.Streamed.Count >= 1, Deadline);
        await Step(id, 2);
        await late.WaitUntil(c => c.Streamed[^1].Tick == 4, Deadline);
        await first.WaitUntil(c => c.Streamed[^1].Tick == 4, Deadline);

        // The late viewer's own keyframe of tick 3, then the shared stream forced a keyframe at tick 4 (interval is 5).
        Assert.Equal([(3L, true), (4L, true)], late.Streamed.Select(f => (f.Tick, f.Keyframe)));
        Assert.Equal([true, false, false, false, true], first.Streamed.Select(f => f.Keyframe));
        Assert.Equal(late.Streamed[^1].Payload, first.Streamed[^1].Payload);
    }

    [Theory]
    [InlineData("jpeg")]
    [InlineData("webp")]
    public async Task Image_sessions_send_every_tick_as_a_picture_close_to_the_png(string format)
    {
        var id = await CreateWorld(23);
        await using var viewer = await Connect(id, $"role=spectator&format={format}");
        await using var exact = await Connect(id, "role=spectator");
        await Step(id, 3);
        await Step(id, 4);
        await viewer.WaitUntil(c => c.Streamed.Count > 0 && c.Streamed[^1].Tick == 2, Deadline);
        await exact.WaitUntil(c => c.Frames.Count > 0 && c.Frames[^1].Header.Tick == 2, Deadline);

        var pngs = exact.Frames.ToDictionary(f => f.Header.Tick, f => f.Png);
        Assert.Equal([0L, 1L, 2L], viewer.Streamed.Select(f => f.Tick));
        foreach (var frame in viewer.Streamed)
        {
            Assert.Equal((format, true), (frame.Format, frame.Keyframe));
            var (rgb, width, height) = VideoTools.DecodeImage(frame.Payload);
            Assert.Equal((64, 64), (width, height));
            var diff = VideoTools.MeanAbsoluteDifference(VideoTools.DecodeImage(pngs[frame.Tick]).Rgb, rgb);
            Assert.True(diff < Tolerance, $"tick {frame.Tick}: {diff:F1}");
        }
    }

    [Fact]
    public async Task An_unknown_format_is_refused_with_a_400_naming_it_and_nobody_joins()
    {
        var id = await CreateWorld(24);

        var response = await _host.Http.GetAsync($"/api/worlds/{id}/session?role=spectator&format=gif");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("format must be one of png, jpeg, webp, vp8, vp9", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var participants = await _host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}/participants");
        Assert.Equal(0, participants.GetProperty("participants").GetArrayLength());
    }

    [Fact]
    public async Task A_viewer_that_stops_reading_drops_to_a_keyframe_while_a_fast_one_and_the_world_keep_every_tick()
    {
        var id = await CreateWorld(25);
        var feeds = _host.Services.GetRequiredService<WorldFeeds>();
        using var fast = await feeds.SubscribeAsync(id, StreamFormat.Vp8);
        using var slow = await feeds.SubscribeAsync(id, StreamFormat.Vp8);
        var fastFrames = new List<EncodedFrame>();

        // The slow viewer reads nothing while the world takes 20 steps; each step waits only for the fast viewer.
        const int steps = 20;
        for (var tick = 1; tick <= steps; tick++)
        {
            await Step(id, tick % 5);
            while (fastFrames.Count == 0 || fastFrames[^1].Tick < tick)
            {
                fastFrames.Add(await fast.Frames.ReadAsync().AsTask().WaitAsync(Deadline));
            }
        }
        var backlog = Drain(slow);
        Assert.Equal(Enumerable.Range(0, steps + 1).Select(t => (long)t), fastFrames.Select(f => f.Tick));
        Assert.Equal(Enumerable.Range(0, Capacity).Select(t => (long)t), backlog.Select(f => f.Tick));
        Assert.Equal(steps + 1 - Capacity, slow.Dropped);
        Assert.Equal(0, fast.Dropped);

        // Reading again, it resumes at the stream's next keyframe (every 5 frames), not where it left off.
        var resumed = new List<EncodedFrame>();
        for (var tick = steps + 1; resumed.Count < 2; tick++)
        {
            await Step(id, 0);
            while (fastFrames[^1].Tick < tick)
            {
                fastFrames.Add(await fast.Frames.ReadAsync().AsTask().WaitAsync(Deadline));
            }
            if (resumed.Count > 0 || fastFrames[^1].Keyframe)
            {
                resumed.Add(await slow.Frames.ReadAsync().AsTask().WaitAsync(Deadline));
            }
            else
            {
                Assert.False(slow.Frames.TryRead(out _), "nothing but a keyframe may follow a drop");
            }
        }
        Assert.Equal(fastFrames[^2].Tick, resumed[0].Tick);
        Assert.True(resumed[0].Keyframe);
        Assert.False(resumed[1].Keyframe);
        Assert.Equal(resumed[0].Tick + 1, resumed[1].Tick);
        // What it saw decodes: its backlog, then the stream from the keyframe on.
        var path = Path.Combine(_host.DataRoot, "slow.ivf");
        VideoTools.WriteIvf(path, [.. backlog.Concat(resumed).Select(f => StreamFrame.Decode(f.Message))]);
        Assert.Equal(backlog.Count + resumed.Count, VideoTools.Probe(path).DecodedFrames);
    }

    private static List<EncodedFrame> Drain(SessionFrames frames)
    {
        var items = new List<EncodedFrame>();
        while (frames.Frames.TryRead(out var item))
        {
            items.Add(item);
        }
        return items;
    }

    private async Task<string> CreateWorld(int seed)
    {
        var response = await _host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed, players = 1 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task Step(string id, int action)
    {
        var response = await _host.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { action } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<SessionClient> Connect(string id, string query)
    {
        var (client, refused) = await SessionClient.ConnectAsync(_host.Http, id, query);
        Assert.True(client is not null, $"session refused: {refused}");
        return client;
    }
}
