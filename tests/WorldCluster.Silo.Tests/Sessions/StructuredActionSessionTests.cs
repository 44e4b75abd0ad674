using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Contracts;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Sessions;

/// <summary>
/// A player's keys + mouse actions over a real WebSocket session to a real-time world of the keys-mouse TorchScript
/// package (tools/export-keys-mouse-fixture.py): they reach the ticks (the frame header's words and the cursor the
/// model draws), held keys stay held, and bad ones get an error naming the field, change nothing, and end nothing.
/// </summary>
public sealed class StructuredActionSessionTests : IAsyncLifetime
{
    // Words per slot: 5 keys (W, A, S, D, Space) of 0/1, then mouse dx, dy as float32 bits.
    private const int Width = 7;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly SiloHostFixture _host = SiloHostFixture.With("keys-mouse-session", FixturePackages.KeysMouse);

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Keys_and_mouse_sent_on_a_socket_reach_the_ticks_and_bad_ones_are_refused_naming_the_field()
    {
        var created = await _host.Http.PostAsJsonAsync("/api/worlds", new { model = "keys-mouse", seed = 0, players = 2, tickHz = 20 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var (connected, refused) = await SessionClient.ConnectAsync(_host.Http, id, "role=player&slot=0");
        Assert.True(connected is not null, $"session refused: {refused}");
        await using var player = connected;
        await player.WaitUntil(c => c.Texts.Count > 0 && c.Frames.Count > 0, Deadline);
        Assert.Equal("welcome", player.Texts[0].GetProperty("type").GetString());

        // D held (x + 1 a tick) and one mouse move of +0.5: the move lands on one tick, the key on every tick after it.
        int[] moved = Words(d: 1, dx: 0.5f, dy: 0), held = Words(d: 1, dx: 0, dy: 0);
        await player.SendTextAsync("""{"action": {"keys": ["D"], "mouse": [0.5, 0]}}""");
        await player.WaitUntil(c => SlotZero(c.Frames).SkipWhile(w => !w.SequenceEqual(moved)).Skip(1).Any(w => w.SequenceEqual(held)), Deadline);

        // Each bad message is refused whole: W beside an out-of-bounds mouse is not pressed either.
        (string Message, string Expected)[] bad =
        [
            ("""{"action": {"keys": ["W"], "mouse": [9, 0]}}""", "action.mouse[0] (dx) is 9, outside [-8, 8]"),
            ("""{"action": {"keys": ["Q"]}}""", "action.keys[0] is \"Q\", not a key of the space (keys: W, A, S, D, Space)"),
            ("""{"action": {"mouse": [1, 2, 3]}}""", "action.mouse has 3 values; expected 2 numbers (dx, dy)"),
            ("""{"action": {"jump": true}}""", "action.jump is not a component of the action space (keys, mouse)"),
            ("""{"action": 3}""", "action is 3; expected an object of keys, mouse"),
        ];
        foreach (var (message, _) in bad)
        {
            await player.SendTextAsync(message);
        }
        await player.WaitUntil(c => Errors(c).Count == bad.Length, Deadline);
        var refusedAt = player.Frames[^1].Header.Tick;
        await player.WaitUntil(c => c.Frames[^1].Header.Tick >= refusedAt + 2, Deadline);

        // The session went on: keys released and a mouse move of (-1.5, +2) land on one tick, then nothing is held.
        int[] released = Words(d: 0, dx: -1.5f, dy: 2);
        await player.SendTextAsync("""{"action": {"keys": [], "mouse": [-1.5, 2]}}""");
        await player.WaitUntil(c => SlotZero(c.Frames).SkipWhile(w => !w.SequenceEqual(released)).Skip(1).Any(w => w.All(x => x == 0)), Deadline);

        var errors = Errors(player);
        foreach (var (expected, index) in bad.Select((b, i) => (b.Expected, i)))
        {
            Assert.Contains(expected, errors[index], StringComparison.Ordinal);
        }
        Assert.Null(player.CloseStatus);
        var frames = player.Frames;
        Assert.Equal(Enumerable.Range((int)frames[0].Header.Tick, frames.Count).Select(t => (long)t), frames.Select(f => f.Header.Tick));
        // Tick 0 was merged from nothing; every tick after it from both slots' words.
        Assert.All(frames, f => Assert.Equal(f.Header.Tick == 0 ? 0 : 2 * Width, f.Header.Actions.Length));
        Assert.All(frames, f => Assert.All(f.Header.Actions.Skip(Width), w => Assert.Equal(0, w)));
        // Slot 0's words, tick by tick: nothing, the move, D held (the bad messages added nothing), the release, nothing.
        var shape = string.Concat(SlotZero(frames).Select(w => w.SequenceEqual(moved) ? 'm' : w.SequenceEqual(held) ? 'h' : w.SequenceEqual(released) ? 'r' : w.All(x => x == 0) ? '0' : '?'));
        Assert.Matches("^0*mh+r0+$", shape);
        Assert.True(shape.IndexOf('r', StringComparison.Ordinal) - shape.IndexOf('m', StringComparison.Ordinal) > 3, $"D was held through the refused messages: {shape}");

        // The model stepped with those words: each frame lights the cursor the words put there (slot 1 stays at 0, 0).
        var (x, y) = (0f, 0f);
        foreach (var (frame, w) in frames.Zip(SlotZero(frames)))
        {
            var dx = BitConverter.Int32BitsToSingle(w[5]);
            var dy = BitConverter.Int32BitsToSingle(w[6]);
            (x, y) = (Wrap(x + (w[3] - w[1]) * (1 + w[4]) + dx), Wrap(y + (w[2] - w[0]) * (1 + w[4]) + dy));
            var lit = Lit(frame.Png);
            Assert.Equal(new[] { 0, ((int)y * 8) + (int)x }.Distinct().Order(), lit);
        }
        Assert.Equal(2f, y); // the one mouse move down
    }

    // The keys-mouse model wraps the cursor with torch.remainder (a - floor(a / 8) * 8).
    private static float Wrap(float value) => value - (MathF.Floor(value / 8) * 8);

    private static int[] Words(int d, float dx, float dy) =>
        [0, 0, 0, d, 0, BitConverter.SingleToInt32Bits(dx), BitConverter.SingleToInt32Bits(dy)];

    private static IEnumerable<int[]> SlotZero(IReadOnlyList<(Frame Header, byte[] Png)> frames) =>
        frames.Select(f => f.Header.Actions is [] ? new int[Width] : f.Header.Actions[..Width]);

    private static List<string> Errors(SessionClient client) =>
        [.. client.Texts.Where(t => t.GetProperty("type").GetString() == "error").Select(t => t.GetProperty("message").GetString()!)];

    private static IEnumerable<int> Lit(byte[] png)
    {
        var (rgb, width, height) = VideoTools.DecodeImage(png);
        Assert.Equal((8, 8), (width, height));
        return Enumerable.Range(0, width * height).Where(i => rgb[3 * i] == 255);
    }
}
