using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Browser;

/// <summary>The page plays an encoded stream with WebCodecs: ticks in order, the picture close to the world's PNG.</summary>
public sealed partial class WebPageTests
{
    // Mean absolute difference per 0-255 sample allowed between the page's decoded VP8 picture and the world's PNG.
    private const double VideoTolerance = 12;

    [Fact]
    public async Task A_spectator_page_plays_a_vp8_stream_with_webcodecs_in_tick_order_close_to_the_png()
    {
        var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 31, players = 1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await using var context = await NewContext();
        var page = await Open(context);

        // What this Chromium's WebCodecs can decode (headless, no GPU): the test needs VP8, which the server streams.
        var support = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const out = {};
              for (const codec of ['avc1.42E01E', 'vp8', 'vp09.00.10.08']) {
                out[codec] = (await VideoDecoder.isConfigSupported({ codec, codedWidth: 64, codedHeight: 64 })).supported;
              }
              return out;
            }
            """);
        output.WriteLine($"VideoDecoder.isConfigSupported: {support}");
        Assert.True(support.GetProperty("vp8").GetBoolean(), $"this Chromium cannot decode VP8 with WebCodecs: {support}");

        await page.SelectOptionAsync("#stream-format", "vp8");
        await page.ClickAsync("#refresh-worlds");
        await page.Locator($"#worlds-list li[data-world-id='{id}'] button[data-role='spectator']").ClickAsync();
        await WaitFor(page, "a vp8 welcome and tick 0 drawn", "() => window.worldcluster.welcome?.format === 'vp8' && window.worldcluster.drawnTicks.includes(0)");
        Assert.Equal("vp8", (await page.EvaluateAsync<JsonElement>("() => window.worldcluster.welcome")).GetProperty("codec").GetString());
        for (var i = 0; i < 8; i++)
        {
            var step = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { i % 5 } });
            Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        }
        await WaitFor(page, "tick 8 decoded and drawn", "() => window.worldcluster.drawnTicks.at(-1) === 8");

        // Every tick arrived and was decoded, in order (the decoder's output timestamps are the ticks).
        var received = await page.EvaluateAsync<long[]>("() => window.worldcluster.headers.map(h => h.tick)");
        var drawn = await page.EvaluateAsync<long[]>("() => window.worldcluster.drawnTicks");
        Assert.Equal(Enumerable.Range(0, 9).Select(t => (long)t), received);
        Assert.Equal(Enumerable.Range(0, 9).Select(t => (long)t), drawn);
        Assert.Null(await page.EvaluateAsync<string?>("() => window.worldcluster.lastError"));

        var rgba = await page.EvaluateAsync<int[]>(
            "() => { const c = document.getElementById('frame'); return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }");
        var (png, width, height) = VideoTools.DecodeImage(await host.Http.GetByteArrayAsync($"/api/worlds/{id}/frame"));
        Assert.Equal(width * height * 4, rgba.Length);
        var canvas = new byte[width * height * 3];
        for (var i = 0; i < width * height; i++)
        {
            (canvas[3 * i], canvas[3 * i + 1], canvas[3 * i + 2]) = ((byte)rgba[4 * i], (byte)rgba[4 * i + 1], (byte)rgba[4 * i + 2]);
        }
        var diff = VideoTools.MeanAbsoluteDifference(png, canvas);
        output.WriteLine($"VP8 on the page vs the world's PNG at tick 8: mean absolute difference {diff:F2} per sample");
        Assert.True(diff < VideoTolerance, $"the page's picture differs from the world's PNG by {diff:F1} per sample on average");
        await Screenshot(page, "vp8-spectator.png");
    }
}
