using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Browser;

// What players meet beyond the first game: invite links, reloads, a restarted server, phones and fullscreen.
public sealed partial class WebPageTests
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _console = new();

    private const string Welcomed = "() => window.worldcluster.state === 'open' && window.worldcluster.framesDrawn > 0";

    [Fact]
    public async Task An_invite_link_opens_the_world_and_a_reload_rejoins_it_in_the_same_slot()
    {
        var id = await CreateWorld(host.Http, seed: 9);
        await using var contextA = await NewContext();
        var pageA = await Open(contextA);
        await Join(pageA, id, "alice");

        // Alice (an admin's page) copies an invite link for a player.
        await pageA.ClickAsync("#invite-button");
        await pageA.SelectOptionAsync("#invite-role", "player");
        await pageA.ClickAsync("#invite-copy");
        var link = await (await WaitFor(pageA, "an invite link", "() => window.worldcluster.inviteLink")).JsonValueAsync<string>();
        Assert.StartsWith($"{host.Http.BaseAddress}#token=", link, StringComparison.Ordinal);
        Assert.Contains($"&world={id}&role=player", link, StringComparison.Ordinal);
        Assert.Equal(link, await pageA.InputValueAsync("#invite-link"));

        // Bob opens it in a browser of his own: straight into the world, as the next player; the token leaves the address.
        await using var contextB = await NewContext();
        var pageB = await contextB.NewPageAsync();
        WatchConsole(pageB);
        await pageB.GotoAsync(link);
        await WaitFor(pageB, "bob's page in the world", Welcomed);
        Assert.Equal(("player", 1), (await pageB.EvaluateAsync<string>("() => window.worldcluster.role"), await pageB.EvaluateAsync<int>("() => window.worldcluster.slot")));
        Assert.DoesNotContain("token=", pageB.Url, StringComparison.Ordinal);
        Assert.EndsWith($"#world={id}&role=player", pageB.Url, StringComparison.Ordinal);
        await Assertions.Expect(pageB.Locator("#token-status")).ToContainTextAsync($"player of world {id}");

        // A reload (either page) comes back into the world, each in its own slot.
        foreach (var (page, slot) in new[] { (pageB, 1), (pageA, 0) })
        {
            await page.ReloadAsync();
            await WaitFor(page, $"slot {slot} back after a reload", $"() => ({Welcomed})() && window.worldcluster.slot === {slot}");
            await Assertions.Expect(page.Locator("#stage-title")).ToHaveTextAsync($"World {id}");
        }
        await Assertions.Expect(pageB.Locator("#participants")).ToContainTextAsync("Slot 0: alice");
        await Screenshot(pageB, "invited-player.png");
        AssertNoTokenInConsole();
    }

    [Fact]
    public async Task On_a_phone_the_picture_and_the_pad_fit_the_screen_a_held_pad_button_repeats_and_fullscreen_is_one_tap()
    {
        var id = await CreateWorld(host.Http, seed: 10);
        await using var phone = await chromium.Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2,
        });
        phone.SetDefaultTimeout(Deadline);
        var page = await phone.NewPageAsync();
        WatchConsole(page);
        await page.GotoAsync($"{host.Http.BaseAddress}#token={host.AdminToken}&world={id}&role=player");
        await WaitFor(page, "the phone's page in the world", Welcomed);

        // Picture and pad together on the first screen, without scrolling.
        foreach (var selector in new[] { "#frame", "#pad" })
        {
            var box = await page.Locator(selector).BoundingBoxAsync();
            Assert.True(box is not null, $"{selector} is not shown");
            Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= 390 && box.Y + box.Height <= 844,
                $"{selector} at ({box.X}, {box.Y}) size {box.Width}×{box.Height} is not within the 390×844 screen");
        }
        Assert.True((await page.Locator("#frame").BoundingBoxAsync())!.Width >= 300, "the picture takes the phone's width");
        await Screenshot(page, "phone.png");

        // Held, a pad button acts once per tick until let go.
        var right = page.Locator("#pad [data-action-name='right']");
        await right.DispatchEventAsync("pointerdown", new { pointerId = 1, button = 0, isPrimary = true, pointerType = "touch", bubbles = true });
        await WaitFor(page, "a held button repeating", "() => window.worldcluster.actionsSent >= 4");
        await right.DispatchEventAsync("pointerup", new { pointerId = 1, button = 0, isPrimary = true, pointerType = "touch", bubbles = true });
        var sent = await page.EvaluateAsync<int>("() => window.worldcluster.actionsSent");
        var tick = await page.EvaluateAsync<long>("() => window.worldcluster.lastHeader.tick");
        await WaitFor(page, "five more ticks", $"() => window.worldcluster.lastHeader.tick >= {tick + 5}");
        Assert.Equal(sent, await page.EvaluateAsync<int>("() => window.worldcluster.actionsSent"));

        // Fullscreen: the game (picture and pad) fills the screen.
        await page.Locator("#fullscreen-button").TapAsync();
        await WaitFor(page, "the game fullscreen", "() => document.fullscreenElement?.id === 'game'");
        await Assertions.Expect(page.Locator("#fullscreen-button")).ToHaveTextAsync("Exit fullscreen");
        await Screenshot(page, "phone-fullscreen.png");
        await page.Keyboard.PressAsync("KeyF");
        await WaitFor(page, "fullscreen left with F", "() => document.fullscreenElement === null");

        // On a 1920×1080 screen the picture is most of the window's height, not a 512-pixel tile.
        await using var desktop = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
        desktop.SetDefaultTimeout(Deadline);
        var wide = await desktop.NewPageAsync();
        await wide.GotoAsync($"{host.Http.BaseAddress}#token={host.AdminToken}&world={id}&role=spectator");
        await WaitFor(wide, "the desktop page watching", Welcomed);
        var frame = (await wide.Locator("#frame").BoundingBoxAsync())!;
        Assert.True(frame.Height >= 900, $"the picture is {frame.Width}×{frame.Height} on a 1920×1080 window");
        Assert.Equal("pixelated", await wide.EvalOnSelectorAsync<string>("#frame", "e => getComputedStyle(e).imageRendering"));
        await Screenshot(wide, "desktop-1920.png");
    }

    [Fact]
    public async Task After_a_server_restart_both_players_reconnect_by_themselves_into_their_own_slots()
    {
        var restarting = SiloHostFixture.With("page-restart");
        await restarting.InitializeAsync();
        try
        {
            var id = await CreateWorld(restarting.Http, seed: 11);
            await using var contextA = await NewContext();
            await using var contextB = await NewContext();
            var alice = await contextA.NewPageAsync();
            var bob = await contextB.NewPageAsync();
            foreach (var (page, slot) in new[] { (alice, 0), (bob, 1) })
            {
                WatchConsole(page);
                await page.GotoAsync($"{restarting.Http.BaseAddress}#token={restarting.AdminToken}&world={id}&role=player");
                await WaitFor(page, $"slot {slot} playing", $"() => ({Welcomed})() && window.worldcluster.slot === {slot}");
            }
            var before = await bob.EvaluateAsync<long>("() => window.worldcluster.lastHeader.tick");

            // The server stops gracefully; Alice's network is away meanwhile, so Bob comes back first.
            await restarting.RestartAsync(async () =>
            {
                await WaitFor(bob, "bob told the server is restarting",
                    "() => window.worldcluster.closes.some(c => c.code === 1001 && c.reason === 'server restarting')");
                await Assertions.Expect(bob.Locator("body")).ToHaveAttributeAsync("data-session", "reconnecting");
                await Assertions.Expect(bob.Locator("#overlay-text")).ToContainTextAsync("Server restarting — reconnecting");
                await contextA.SetOfflineAsync(true);
            });
            await WaitFor(bob, "bob back in slot 1", $"() => ({Welcomed})() && window.worldcluster.welcomes >= 2 && window.worldcluster.slot === 1");
            await contextA.SetOfflineAsync(false);
            await WaitFor(alice, "alice back in slot 0", $"() => ({Welcomed})() && window.worldcluster.welcomes >= 2 && window.worldcluster.slot === 0");

            // The world goes on from where it was, both playing, on both pages.
            await WaitFor(bob, "ticks after the restart", $"() => window.worldcluster.lastHeader.tick > {before}");
            var participants = await restarting.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}/participants");
            var slots = participants.GetProperty("participants").EnumerateArray()
                .Where(p => p.GetProperty("role").GetString() == "player").Select(p => p.GetProperty("slot").GetInt32()).Order();
            Assert.Equal([0, 1], slots);
            await Screenshot(alice, "after-restart.png");
            AssertNoTokenInConsole();
        }
        finally
        {
            await restarting.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_you_marker_sits_over_each_players_own_avatar_follows_it_and_a_spectator_sees_none()
    {
        var id = await CreateWorld(host.Http, seed: 11);
        await using var contextA = await NewContext();
        var pageA = await Open(contextA);
        await Join(pageA, id, "alice");
        await using var contextB = await NewContext();
        var pageB = await Open(contextB);
        await Join(pageB, id, "bob");

        // Both avatars are in slot 0's view; each page marks its own slot's, not the other's.
        await MarkerOver(pageA, 0);
        await MarkerOver(pageB, 1);
        var start = await Avatar(pageA, 0);
        await MoveUntilMoved(pageA, 0, start, [("ArrowRight", 4), ("ArrowDown", 2), ("ArrowLeft", 3), ("ArrowUp", 1)]);
        await MarkerOver(pageA, 0);
        await Screenshot(pageA, "you-marker.png");

        // A spectator has no avatar: its page draws the same frames and shows no marker.
        await using var contextC = await NewContext();
        var pageC = await Open(contextC);
        await pageC.ClickAsync("#refresh-worlds");
        await pageC.Locator($"#worlds-list li[data-world-id='{id}'] button[data-role='spectator']").ClickAsync();
        await WaitFor(pageC, "a spectator's frames drawn", "() => window.worldcluster.welcome?.role === 'spectator' && window.worldcluster.framesDrawn > 5");
        Assert.True(await pageC.EvaluateAsync<bool>("() => document.getElementById('you-marker').hidden"), "a spectator's page shows the you marker");
        await MarkerOver(pageA, 0);
    }

    // The marker is shown, and its centre is within a pixel of the frame's pixels in the slot's colour.
    private static async Task MarkerOver(IPage page, int slot) =>
        await WaitFor(page, $"the you marker over slot {slot}'s avatar", $$"""
            () => {
              const m = document.getElementById('you-marker');
              const c = document.getElementById('frame');
              const p = ({{FindAvatar}})({{Colour(slot)}});
              return !m.hidden && p !== null
                && Math.abs(parseFloat(m.style.left) / 100 * c.width - (p[0] + 0.5)) < 1
                && Math.abs(parseFloat(m.style.top) / 100 * c.height - (p[1] + 0.5)) < 1;
            }
            """);

    private static async Task<string> CreateWorld(HttpClient http, int seed)
    {
        var created = await http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed, players = 2, tickHz = 20 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private void WatchConsole(IPage page) => page.Console += (_, message) =>
    {
        _console.Enqueue(message.Text);
        if (message.Type == "error")
        {
            output.WriteLine($"browser console: {message.Text}");
        }
    };

    // Tokens (JWTs start "eyJ") never reach the console, not even in a failed connection's URL.
    private void AssertNoTokenInConsole() =>
        Assert.DoesNotContain(_console, line => line.Contains("eyJ", StringComparison.Ordinal));
}
