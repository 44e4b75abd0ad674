using WorldCluster.Contracts;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Client.Tests;

/// <summary>Sessions in each stream format through the client, against a real host (its own ffmpeg for VP8).</summary>
public sealed class WorldSessionFormatTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private readonly WorldClusterClient _client = new(host.Http);

    [Theory]
    [InlineData(StreamFormat.Vp8)]
    [InlineData(StreamFormat.Jpeg)]
    public async Task A_player_in_another_format_gets_contiguous_ticks_from_a_keyframe_and_sees_its_action(StreamFormat format)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var world = await _client.CreateWorldAsync("reference-world", seed: 21, players: 1, tickHz: 20);
        await using var player = await _client.ConnectSessionAsync(world.Id, SessionRole.Player, format: format, cancellationToken: deadline.Token);

        Assert.Equal((format, format.Name(), format.Codec()), (player.Format, player.Welcome.Format, player.Welcome.Codec));
        Assert.Throws<InvalidOperationException>(() => player.Frames(deadline.Token));
        var frames = new List<StreamFrame>();
        await foreach (var frame in player.StreamFrames(deadline.Token))
        {
            frames.Add(frame);
            if (frames.Count == 1)
            {
                await player.SendActionAsync(3, deadline.Token);
            }
            else if (frames.Count >= 10 && frames.Any(f => f.Actions is [3, ..]))
            {
                break;
            }
        }

        Assert.True(frames[0].Keyframe, "a joining viewer starts at a keyframe");
        Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => frames[0].Tick + i), frames.Select(f => f.Tick));
        Assert.All(frames, f => Assert.Equal((format.Name(), 64, 64), (f.Format, f.Width, f.Height)));
        Assert.All(frames, f => Assert.NotEmpty(f.Payload));
        Assert.Empty(player.Errors);
        if (format == StreamFormat.Jpeg)
        {
            Assert.All(frames, f => Assert.Equal(((byte)0xFF, (byte)0xD8, true), (f.Payload[0], f.Payload[1], f.Keyframe)));
            return;
        }
        // The payloads are VP8 frames: in an IVF file the machine's ffprobe reads one packet per tick, stamped with it.
        var path = Path.Combine(Path.GetTempPath(), $"worldcluster-client-{Guid.NewGuid():N}.ivf");
        try
        {
            await using (var file = File.Create(path))
            {
                var ivf = new IvfWriter(file, player.Welcome.TickHz);
                foreach (var f in frames)
                {
                    await ivf.WriteAsync(f, deadline.Token);
                }
                Assert.Equal(frames.Count, ivf.FrameCount);
            }
            var (packets, decoded) = VideoTools.Probe(path);
            Assert.Equal(frames.Select(f => (f.Tick, f.Keyframe)), packets.Select(p => (p.Pts, p.Key)));
            Assert.Equal(frames.Count, decoded);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_png_session_streams_png_through_either_read_and_each_read_takes_up_where_the_last_stopped()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var world = await _client.CreateWorldAsync("reference-world", seed: 22, players: 1, tickHz: 20);
        await using var player = await _client.ConnectSessionAsync(world.Id, SessionRole.Player, cancellationToken: deadline.Token);

        var first = await Take(player.StreamFrames(deadline.Token), 3);
        var then = await Take(player.Frames(deadline.Token), 3);

        Assert.Equal((StreamFormat.Png, "png"), (player.Format, player.Welcome.Format));
        Assert.All(first, f => Assert.Equal(("png", true), (f.Format, f.Keyframe)));
        Assert.All(first, f => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], f.Payload[..4]));
        // One queue: a frame a read took is gone, so the next read starts right after it (not again at it).
        Assert.Equal(Enumerable.Range(0, 6).Select(i => first[0].Tick + i), first.Select(f => f.Tick).Concat(then.Select(f => f.Tick)));
    }

    [Fact]
    public async Task A_second_read_while_one_runs_is_refused_instead_of_splitting_the_frames()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var world = await _client.CreateWorldAsync("reference-world", seed: 23, players: 1, tickHz: 20);
        await using var player = await _client.ConnectSessionAsync(world.Id, SessionRole.Player, cancellationToken: deadline.Token);

        var reading = player.StreamFrames(deadline.Token).GetAsyncEnumerator(deadline.Token);
        Assert.True(await reading.MoveNextAsync());
        var before = reading.Current.Tick;
        var second = await Assert.ThrowsAsync<InvalidOperationException>(() => Take(player.Frames(deadline.Token), 1));
        Assert.True(await reading.MoveNextAsync());
        var during = reading.Current.Tick;
        await reading.DisposeAsync();
        var after = await Take(player.Frames(deadline.Token), 1);

        Assert.Contains("already being read", second.Message);
        // The refused read took nothing; once the first read ended, the next one goes on from it.
        Assert.Equal((before + 1, before + 2), (during, after[0].Tick));
    }

    [Fact]
    public async Task An_unknown_format_is_refused_before_any_request()
    {
        var world = await _client.CreateWorldAsync("reference-world", seed: 24, players: 1, tickHz: 20);

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ConnectSessionAsync(world.Id, SessionRole.Player, format: (StreamFormat)42));

        Assert.Equal("format", refused.ParamName);
        Assert.Contains("png, jpeg, webp, vp8, vp9", refused.Message);
        Assert.Empty(await _client.GetParticipantsAsync(world.Id));
    }

    private static async Task<List<T>> Take<T>(IAsyncEnumerable<T> items, int count)
    {
        var taken = new List<T>();
        await foreach (var item in items)
        {
            taken.Add(item);
            if (taken.Count == count)
            {
                break;
            }
        }
        return taken;
    }
}
