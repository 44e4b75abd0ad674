using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WorldCluster.Models.Reference;
using WorldCluster.Silo.Tests.Fixtures;
using Xunit.Abstractions;

namespace WorldCluster.Silo.Tests.Browser;

/// <summary>The web page at <c>/</c> in a real browser: two people play one world from two pages.</summary>
public sealed partial class WebPageTests(SiloHostFixture host, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<SiloHostFixture>, IClassFixture<ChromiumFixture>
{
    private const float Deadline = 30_000;

    // The centre of the pixels in one avatar's colour on the page's canvas ([x, y], in frame pixels), or null.
    private const string FindAvatar = """
        ([r, g, b]) => {
          const canvas = document.getElementById('frame');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0, x = 0, y = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (Math.abs(data[i] - r) <= 8 && Math.abs(data[i + 1] - g) <= 8 && Math.abs(data[i + 2] - b) <= 8) {
              x += (i / 4) % canvas.width; y += Math.floor(i / 4 / canvas.width); n++;
            }
          }
          return n > 0 ? [x / n, y / n] : null;
        }
        """;

    private static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Two_players_in_two_pages_each_see_both_avatars_move()
    {
        await using var contextA = await NewContext();
        await using var contextB = await NewContext();
        var pageA = await Open(contextA);
        var pageB = await Open(contextB);

        // Page A creates a 20 Hz world for two; it shows up in its list with what the API says.
        await pageA.SelectOptionAsync("#create-model", "reference-world");
        await pageA.FillAsync("#create-seed", "7");
        await pageA.FillAsync("#create-players", "2");
        Assert.Equal("20", await pageA.InputValueAsync("#create-tickhz"));
        await pageA.ClickAsync("#create-button");
        var id = await (await pageA.WaitForSelectorAsync("#create-status[data-world-id]"))!.GetAttributeAsync("data-world-id");
        Assert.NotNull(id);
        var world = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
        Assert.Equal(20, world.GetProperty("tickHz").GetInt32());
        Assert.Equal(2, world.GetProperty("players").GetInt32());
        var rowA = pageA.Locator($"#worlds-list li[data-world-id='{id}']");
        await Assertions.Expect(rowA).ToContainTextAsync("2 players");
        await Assertions.Expect(rowA).ToContainTextAsync("20 Hz");

        // Both join as players through the page; B finds the world with Refresh.
        await Join(pageA, id!, "ann");
        await pageB.ClickAsync("#refresh-worlds");
        await Join(pageB, id!, "bob");
        var slotA = await pageA.EvaluateAsync<int>("() => window.worldcluster.slot");
        var slotB = await pageB.EvaluateAsync<int>("() => window.worldcluster.slot");
        Assert.Equal((0, 1), (slotA, slotB));
        var welcome = await pageB.EvaluateAsync<JsonElement>("() => window.worldcluster.welcome");
        Assert.Equal(("player", id, 2, 20), (welcome.GetProperty("role").GetString(), welcome.GetProperty("worldId").GetString(), welcome.GetProperty("players").GetInt32(), welcome.GetProperty("tickHz").GetInt32()));
        await Assertions.Expect(pageA.Locator("#stat-role")).ToContainTextAsync("slot 0");
        await Assertions.Expect(pageB.Locator("#stat-role")).ToContainTextAsync("slot 1");

        // Frames flow: both pages count a non-zero frame rate, and each sees both avatars.
        foreach (var page in new[] { pageA, pageB })
        {
            await WaitFor(page, "a non-zero frame rate shown", "() => parseInt(document.getElementById('stat-fps').textContent, 10) > 0");
            await WaitFor(page, "both avatars on the canvas", $"() => ({FindAvatar})({Colour(0)}) !== null && ({FindAvatar})({Colour(1)}) !== null");
        }
        var startA = new[] { await Avatar(pageA, 0), await Avatar(pageA, 1) };
        var startB = new[] { await Avatar(pageB, 0), await Avatar(pageB, 1) };
        var imageA = await CanvasImage(pageA);
        var imageB = await CanvasImage(pageB);

        // Each moves with its own keys (A arrows, B WASD) until its avatar moves on its own page...
        var actionA = await MoveUntilMoved(pageA, slotA, startA[slotA], [("ArrowRight", 4), ("ArrowDown", 2), ("ArrowLeft", 3), ("ArrowUp", 1)]);
        var actionB = await MoveUntilMoved(pageB, slotB, startB[slotB], [("KeyS", 2), ("KeyD", 4), ("KeyW", 1), ("KeyA", 3)]);

        // ...and each page sees the other's action merged in the frames and both avatars away from where they started.
        await SeesAction(pageA, slotB, actionB);
        await SeesAction(pageB, slotA, actionA);
        await SeesMoved(pageA, 0, startA[0]);
        await SeesMoved(pageA, 1, startA[1]);
        await SeesMoved(pageB, 0, startB[0]);
        await SeesMoved(pageB, 1, startB[1]);
        Assert.NotEqual(imageA, await CanvasImage(pageA));
        Assert.NotEqual(imageB, await CanvasImage(pageB));

        // Space and E interact (action 5), and the other page sees it.
        await pageA.Keyboard.PressAsync("Space");
        await pageB.Keyboard.PressAsync("KeyE");
        await SeesAction(pageB, slotA, 5);
        await SeesAction(pageA, slotB, 5);

        // The numbers: a measured latency, ticks, and who is playing.
        foreach (var page in new[] { pageA, pageB })
        {
            await Assertions.Expect(page.Locator("#stat-latency")).ToHaveTextAsync(LatencyText());
            var latency = await page.EvaluateAsync<double>("() => window.worldcluster.latencyMs");
            Assert.InRange(latency, 0.1, Deadline);
            var tick = long.Parse(await page.TextContentAsync("#stat-tick") ?? "", CultureInfo.InvariantCulture);
            Assert.True(tick > 0, "the page shows the world's tick");
            await Assertions.Expect(page.Locator("#stat-durable")).ToHaveTextAsync(new Regex(@"^\d+"));
            await Assertions.Expect(page.Locator("#participants")).ToContainTextAsync("Slot 0: ann");
            await Assertions.Expect(page.Locator("#participants")).ToContainTextAsync("Slot 1: bob");
        }
        await Assertions.Expect(pageA.Locator("#participants")).ToContainTextAsync("ann (you)");
        await Assertions.Expect(pageB.Locator("#participants")).ToContainTextAsync("bob (you)");

        await Screenshot(pageA, "player-a.png");
        await Screenshot(pageB, "player-b.png");
    }

    [Fact]
    public async Task A_player_who_finds_the_world_full_is_told_so_and_can_watch_instead()
    {
        var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 8, players = 1, tickHz = 20 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var (occupant, refused) = await SessionClient.ConnectAsync(host.Http, id, "role=player&name=occupant");
        Assert.True(occupant is not null, $"session refused: {refused}");
        await using var _ = occupant;

        await using var context = await NewContext();
        var page = await Open(context);
        await page.Locator($"#worlds-list li[data-world-id='{id}'] button[data-role='player']").ClickAsync();
        await Assertions.Expect(page.Locator("#overlay")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#overlay-text")).ToContainTextAsync("World full");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-session", "closed");
        await Screenshot(page, "world-full.png");

        await page.Locator("#overlay-actions").GetByRole(AriaRole.Button, new() { Name = $"Watch world {id}" }).ClickAsync();
        await WaitFor(page, "a spectator's welcome and a frame drawn", "() => window.worldcluster.welcome?.role === 'spectator' && window.worldcluster.framesDrawn > 0");
        await Assertions.Expect(page.Locator("#overlay")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#stat-role")).ToContainTextAsync("spectator");
        await Assertions.Expect(page.Locator("#participants")).ToContainTextAsync("Slot 0: occupant");
    }

    private async Task<IBrowserContext> NewContext()
    {
        var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(Deadline);
        return context;
    }

    private async Task<IPage> Open(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        WatchConsole(page);
        // The page takes its token from the fragment, as the host prints it at start.
        await page.GotoAsync($"{host.Http.BaseAddress}#token={host.AdminToken}");
        await Assertions.Expect(page).ToHaveTitleAsync("WorldCluster");
        await Assertions.Expect(page.Locator("#create-model option")).Not.ToHaveCountAsync(0);
        return page;
    }

    private static async Task Join(IPage page, string id, string name)
    {
        await page.FillAsync("#player-name", name);
        await page.Locator($"#worlds-list li[data-world-id='{id}'] button[data-role='player']").ClickAsync();
        await WaitFor(page, $"{name}'s welcome and a frame drawn", "() => window.worldcluster.welcome !== null && window.worldcluster.framesDrawn > 0");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-session", "open");
    }

    // Presses keys in turn until the player's own avatar has moved on its own page (a key into a wall moves nothing);
    // returns the action that moved it. Each press is followed to the frame that merged it, then to that frame drawn.
    private static async Task<int> MoveUntilMoved(IPage page, int slot, double[] start, (string Key, int Action)[] keys)
    {
        foreach (var (key, action) in keys)
        {
            var before = await page.EvaluateAsync<long>("() => window.worldcluster.lastHeader.tick");
            await page.Keyboard.PressAsync(key);
            var merged = await WaitFor(page, $"a frame after tick {before} merging {key} (action {action}) for slot {slot}",
                "([slot, action, before]) => window.worldcluster.headers.find(h => h.tick > before && h.actions[slot] === action)?.tick",
                new object[] { slot, action, before });
            var tick = await merged.JsonValueAsync<long>();
            await WaitFor(page, $"tick {tick} drawn", "tick => Number(document.getElementById('frame').dataset.tick) >= tick", tick);
            var now = await Avatar(page, slot);
            if (now[0] != start[0] || now[1] != start[1])
            {
                return action;
            }
        }
        throw new InvalidOperationException($"slot {slot}'s avatar could not move in any direction");
    }

    private static async Task SeesAction(IPage page, int slot, int action) =>
        await WaitFor(page, $"a frame merging action {action} for slot {slot}",
            "([slot, action]) => window.worldcluster.headers.some(h => h.actions[slot] === action)", new object[] { slot, action });

    private static async Task SeesMoved(IPage page, int slot, double[] start) =>
        await WaitFor(page, $"slot {slot}'s avatar away from ({start[0]}, {start[1]})",
            $"([x, y]) => {{ const p = ({FindAvatar})({Colour(slot)}); return p !== null && (p[0] !== x || p[1] !== y); }}", start);

    // Playwright's wait, failing with what was awaited (and the page's view of the session) instead of a bare timeout.
    private static async Task<IJSHandle> WaitFor(IPage page, string what, string expression, object? arg = null)
    {
        try
        {
            return await page.WaitForFunctionAsync(expression, arg, new() { Timeout = Deadline });
        }
        catch (TimeoutException)
        {
            var state = await page.EvaluateAsync<string>(
                "() => JSON.stringify({ ...window.worldcluster, headers: window.worldcluster.headers.slice(-5) })");
            Assert.Fail($"{page.Url}: no {what} within {Deadline / 1000} s; the page's session: {state}");
            throw;
        }
    }

    private static async Task<double[]> Avatar(IPage page, int slot)
    {
        var position = await page.EvaluateAsync<double[]?>($"() => ({FindAvatar})({Colour(slot)})");
        Assert.True(position is not null, $"slot {slot}'s avatar is not on the page's canvas");
        return position;
    }

    private static Task<string> CanvasImage(IPage page) =>
        page.EvaluateAsync<string>("() => document.getElementById('frame').toDataURL()");

    private static string Colour(int slot)
    {
        var rgb = ReferenceSprites.PlayerColour(slot);
        return $"[{rgb.R}, {rgb.G}, {rgb.B}]";
    }

    private async Task Screenshot(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, name);
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine($"screenshot: {path}");
    }

    [GeneratedRegex(@"^\d+ ms · avg \d+$")]
    private static partial Regex LatencyText();
}
