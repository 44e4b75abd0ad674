using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Api;
using WorldCluster.Silo.Tests.Fixtures;
using Xunit.Abstractions;

namespace WorldCluster.Silo.Tests.Api;

/// <summary>
/// <c>GET /api/worlds/{id}/recording</c> and <c>/recording/events</c> on a real host whose worlds snapshot every 3 ticks, so
/// that a recording crosses journal segments: the frames decoded from the MP4 are the frames the world served at those
/// ticks (bit for bit when lossless, within a stated tolerance as default H.264), and every refusal leaves the world as it was.
/// </summary>
public sealed class RecordingApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Default video is 4:2:0 H.264 at CRF 10 of 4×4 pixel blocks. Sampling each block's inner pixel, this test's frames
    // measured a mean difference of 1.09..1.10 and a largest of 8 levels of 255 (printed per tick; docs/http-api.md#recordings); the bounds
    // leave room for another x264 build, and stay far below what a frame of another tick differs by.
    private const double MeanTolerance = 2.0;
    private const int MaxTolerance = 16;

    private readonly SiloHostFixture _host = SiloHostFixture.With("recording", "--WorldCluster:Worlds:SnapshotEvery", "3");

    private HttpClient Http => _host.Http;

    // Downloads and decoded frames go beside the host's data, and are deleted with it.
    private string Scratch => Directory.CreateDirectory(Path.Combine(_host.DataRoot, "test-downloads")).FullName;

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_recording_of_a_forked_worlds_past_is_the_frames_it_served_then_tick_for_tick()
    {
        var (fork, served, digests, actions) = await ForkAndStep();
        // Every tick's frame differs from the others, so a frame shown at the wrong tick fails the comparisons below.
        Assert.Equal(served.Count, served.Select(f => Convert.ToHexString(f.Rgb)).Distinct().Count());

        using var lossless = await Http.GetAsync($"/api/worlds/{fork}/recording?fromTick=2&toTick=9&lossless=true");
        Assert.Equal(HttpStatusCode.OK, lossless.StatusCode);
        Assert.Equal("video/mp4", lossless.Content.Headers.ContentType?.MediaType);
        Assert.Equal("2", Assert.Single(lossless.Headers.GetValues(RecordingEndpoints.FromTickHeader)));
        Assert.Equal("9", Assert.Single(lossless.Headers.GetValues(RecordingEndpoints.ToTickHeader)));
        var exactFile = await Save(lossless, "lossless.mp4");
        var exact = await FfmpegVideo.DecodeRgbAsync(exactFile);
        Assert.Equal((8, "h264"), ((await FfmpegVideo.ProbeAsync(exactFile)).Frames, (await FfmpegVideo.ProbeAsync(exactFile)).Codec));
        Assert.Equal(served.Count, exact.Count);
        for (var i = 0; i < served.Count; i++)
        {
            Assert.True(served[i].Rgb.AsSpan().SequenceEqual(exact[i]), $"frame {i} (tick {2 + i}) differs from the world's");
        }

        using var lossy = await Http.GetAsync($"/api/worlds/{fork}/recording?fromTick=2&toTick=9");
        var lossyFile = await Save(lossy, "lossy.mp4");
        var probe = await FfmpegVideo.ProbeAsync(lossyFile);
        Assert.Equal((8, served[0].Width * 4, served[0].Height * 4), (probe.Frames, probe.Width, probe.Height));
        var decoded = await FfmpegVideo.DecodeRgbAsync(lossyFile);
        for (var i = 0; i < served.Count; i++)
        {
            var (mean, max) = Difference(served[i], decoded[i], scale: 4);
            output.WriteLine($"tick {2 + i}: mean difference {mean:F3}, largest {max}");
            Assert.True(mean <= MeanTolerance && max <= MaxTolerance, $"frame {i} (tick {2 + i}): mean difference {mean:F2}, largest {max}");
        }

        var lines = (await Http.GetStringAsync($"/api/worlds/{fork}/recording/events?fromTick=2&toTick=9"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(2, 8).Select(t => (long)t), lines.Select(l => l.GetProperty("tick").GetInt64()));
        Assert.Equal(digests, lines.Select(l => l.GetProperty("stateDigest").GetString()!));
        // Tick 2 is where the fork's history starts (a snapshot, no step); the others carry the actions they were stepped with.
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("actions").ValueKind);
        Assert.Equal(actions, lines.Skip(1).Select(l => l.GetProperty("actions").EnumerateArray().Select(a => a.GetInt32()).ToArray()));
    }

    [Fact]
    public async Task Bad_parameters_and_ranges_are_refused_naming_the_field_and_the_world_is_unchanged()
    {
        var (fork, _, _, _) = await ForkAndStep();
        var before = await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{fork}");

        (string Query, string Says)[] refused =
        [
            ("toTick=3", "'fromTick' is required"),
            ("fromTick=2", "'toTick' is required"),
            ("fromTick=-1&toTick=3", "'fromTick' is required"),
            ("fromTick=2&toTick=x", "'toTick' is required"),
            ("fromTick=5&toTick=3", "'fromTick' (5) must not be after 'toTick' (3)"),
            ("fromTick=2&toTick=10", "can be recorded over ticks 2..9"),
            ("fromTick=1&toTick=3", "can be recorded over ticks 2..9"),
            ("fromTick=0&toTick=40000", "at most 36000 ticks"),
            ("fromTick=2&toTick=3&lossless=maybe", "'lossless' must be true or false"),
            ("fromTick=2&toTick=3&scale=9", "'scale' must be a whole number from 1 to 8"),
            ("fromTick=2&toTick=3&scale=0", "'scale' must be a whole number from 1 to 8"),
        ];
        foreach (var (query, says) in refused)
        {
            foreach (var path in (string[])["recording", "recording/events"])
            {
                using var answer = await Http.GetAsync($"/api/worlds/{fork}/{path}?{query}");
                var body = await answer.Content.ReadAsStringAsync();
                Assert.True(answer.StatusCode == HttpStatusCode.BadRequest && body.Contains(says, StringComparison.Ordinal), $"{path}?{query}: {(int)answer.StatusCode} {body}");
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            }
        }
        using var unknown = await Http.GetAsync("/api/worlds/w-no-such-world/recording?fromTick=0&toTick=1");
        using var badId = await Http.GetAsync("/api/worlds/NOT_AN_ID/recording?fromTick=0&toTick=1");
        var after = await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{fork}");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Equal(before.GetProperty("tick").GetInt64(), after.GetProperty("tick").GetInt64());
        Assert.Equal(before.GetProperty("stateDigest").GetString(), after.GetProperty("stateDigest").GetString());
        Assert.Equal(before.GetProperty("durableTick").GetInt64(), after.GetProperty("durableTick").GetInt64());
    }

    [Fact]
    public async Task Recordings_are_read_as_watching_is_anyone_with_a_token_for_the_world()
    {
        var (fork, _, _, _) = await ForkAndStep();
        var other = await CreateWorld();
        var spectator = await Invite(fork, "spectator");
        var elsewhere = await Invite(other, "spectator");

        using var anonymous = _host.ClientWith(null);
        using var invited = _host.ClientWith(spectator);
        using var wrongWorld = _host.ClientWith(elsewhere);
        using var byNobody = await anonymous.GetAsync($"/api/worlds/{fork}/recording?fromTick=2&toTick=3");
        using var bySpectator = await invited.GetAsync($"/api/worlds/{fork}/recording/events?fromTick=2&toTick=3");
        using var byOtherWorld = await wrongWorld.GetAsync($"/api/worlds/{fork}/recording?fromTick=2&toTick=3");

        Assert.Equal(HttpStatusCode.Unauthorized, byNobody.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bySpectator.StatusCode);
        Assert.Equal(2, (await bySpectator.Content.ReadAsStringAsync()).Count(c => c == '\n'));
        Assert.Equal(HttpStatusCode.Forbidden, byOtherWorld.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_lists_both_recording_paths_with_their_parameters_and_media_types()
    {
        var paths = (await Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");

        foreach (var (path, media) in new[] { ("/api/worlds/{id}/recording", "video/mp4"), ("/api/worlds/{id}/recording/events", "application/x-ndjson") })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Equal(["id", "fromTick", "toTick", "lossless", "scale"], get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
            Assert.True(get.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty(media, out _), $"{path}: 200 is not {media}");
            Assert.True(get.GetProperty("responses").TryGetProperty("400", out _), $"{path}: no 400");
        }
    }

    // World A steps to tick 3 and is forked at tick 2; the fork then steps to tick 9. What the fork served at ticks 2..9:
    // its frames (as its PNG endpoint gave them, decoded), its digests, and the actions of ticks 3..9.
    private async Task<(string Fork, List<Served> Frames, List<string> Digests, List<int[]> Actions)> ForkAndStep()
    {
        var original = await CreateWorld();
        for (var i = 0; i < 3; i++)
        {
            await Step(original, [i % 5, 4 - i % 5]);
        }
        using var forked = await Http.PostAsJsonAsync($"/api/worlds/{original}/fork", new { atTick = 2 });
        Assert.Equal(HttpStatusCode.Created, forked.StatusCode);
        var fork = (await forked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var frames = new List<Served> { await Frame(fork) };
        var digests = new List<string> { (await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{fork}")).GetProperty("stateDigest").GetString()! };
        var actions = new List<int[]>();
        for (var i = 0; i < 7; i++)
        {
            int[] step = i % 2 == 0 ? [4, 2] : [2, 3];
            digests.Add(await Step(fork, step));
            actions.Add(step);
            frames.Add(await Frame(fork));
        }
        return (fork, frames, digests, actions);
    }

    private sealed record Served(byte[] Rgb, int Width, int Height);

    private async Task<Served> Frame(string world)
    {
        var png = Path.Combine(Scratch, $"{world}-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(png, await Http.GetByteArrayAsync($"/api/worlds/{world}/frame"));
        var (_, width, height, _) = await FfmpegVideo.ProbeAsync(png);
        return new Served(Assert.Single(await FfmpegVideo.DecodeRgbAsync(png)), width, height);
    }

    // Each world pixel is a scale×scale block of the video; the block's inner pixel keeps the least of the codec's edge error.
    private static (double Mean, int Max) Difference(Served frame, byte[] video, int scale)
    {
        var (sum, max) = (0L, 0);
        for (var y = 0; y < frame.Height; y++)
        {
            for (var x = 0; x < frame.Width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var expected = frame.Rgb[(y * frame.Width + x) * 3 + c];
                    var actual = video[((y * scale + scale / 2) * frame.Width * scale + x * scale + scale / 2) * 3 + c];
                    var d = Math.Abs(expected - actual);
                    (sum, max) = (sum + d, Math.Max(max, d));
                }
            }
        }
        return ((double)sum / (frame.Width * frame.Height * 3), max);
    }

    private async Task<string> Save(HttpResponseMessage answer, string name)
    {
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var path = Path.Combine(Scratch, name);
        await File.WriteAllBytesAsync(path, await answer.Content.ReadAsByteArrayAsync());
        return path;
    }

    private async Task<string> CreateWorld()
    {
        using var created = await Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 11, players = 2 });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string> Step(string world, int[] actions)
    {
        using var stepped = await Http.PostAsJsonAsync($"/api/worlds/{world}/step", new { actions });
        stepped.EnsureSuccessStatusCode();
        return (await stepped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString()!;
    }

    private async Task<string> Invite(string world, string role)
    {
        using var invite = await Http.PostAsJsonAsync($"/api/worlds/{world}/invites", new { role });
        invite.EnsureSuccessStatusCode();
        return (await invite.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }
}
