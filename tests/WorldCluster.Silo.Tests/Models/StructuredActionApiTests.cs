using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Models;

/// <summary>
/// A real host serving the keys-mouse TorchScript package (tools/export-keys-mouse-fixture.py): its dict space is shown,
/// keys + mouse actions step it over HTTP and in batches, and bad ones are a 400 naming the field with nothing applied.
/// </summary>
public sealed class StructuredActionApiTests : IAsyncLifetime
{
    private readonly SiloHostFixture _host = SiloHostFixture.With("keys-mouse", FixturePackages.KeysMouse);

    private HttpClient Http => _host.Http;

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Keys_and_mouse_step_the_world_and_the_cursor_lands_where_they_put_it()
    {
        var models = await Http.GetFromJsonAsync<JsonElement>("/api/models");
        var space = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "keys-mouse").GetProperty("actionSpace");
        Assert.Equal("dict", space.GetProperty("type").GetString());
        Assert.Equal(["keys", "mouse"], space.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var id = await Create();

        // Seed 0: both cursors at (0, 0). Slot 0 holds D and Space (x + 2) and moves the mouse (+1.5, +3.25).
        var stepped = await Post($"/api/worlds/{id}/step", """{"actions": [{"keys": ["D", "Space"], "mouse": [1.5, 3.25]}, {}]}""");
        Assert.Equal(HttpStatusCode.OK, stepped.StatusCode);
        // A no-op step (no keys, no movement) returns the frame as raw bytes.
        var batch = await Post("/api/steps", $$"""{"steps": [{"world": "{{id}}", "actions": [{}, {"mouse": [0, 0]}]}], "frames": "raw"}""");
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var outcome = (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0];
        Assert.Equal(2, outcome.GetProperty("tick").GetInt64());
        var pixels = Convert.FromBase64String(outcome.GetProperty("frame").GetString()!);
        Assert.Equal(255, pixels[(3 * 8) + 3]); // slot 0 at (3.5, 3.25)
        Assert.Equal(255, pixels[0]);           // slot 1 did not move
        Assert.Equal(2, pixels.Count(p => p == 255));
    }

    [Theory]
    [InlineData("""[{"mouse": ["NaN", 0]}, {}]""", "actions[0].mouse[0] (dx) is \"NaN\"; expected a finite float32 number")]
    [InlineData("""[{"mouse": [0, "Infinity"]}, {}]""", "actions[0].mouse[1] (dy) is \"Infinity\"")]
    [InlineData("""[{}, {"mouse": [8.5, 0]}]""", "actions[1].mouse[0] (dx) is 8.5, outside [-8, 8]")]
    [InlineData("""[{"keys": ["Q"]}, {}]""", "actions[0].keys[0] is \"Q\", not a key of the space (keys: W, A, S, D, Space)")]
    [InlineData("""[{"mouse": [1, 2, 3]}, {}]""", "actions[0].mouse has 3 values; expected 2 numbers (dx, dy)")]
    [InlineData("""[1, 0]""", "actions[0] is 1; expected an object of keys, mouse")]
    public async Task A_bad_action_is_a_400_naming_the_field_and_the_world_is_unchanged(string actions, string expected)
    {
        var id = await Create();
        var before = await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");

        var single = await Post($"/api/worlds/{id}/step", $$"""{"actions": {{actions}}}""");
        var batch = await Post("/api/steps", $$"""{"steps": [{"world": "{{id}}", "actions": {{actions}}}]}""");

        foreach (var refused in new[] { single, batch })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(expected, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        var after = await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
        Assert.Equal(before.GetProperty("tick").GetInt64(), after.GetProperty("tick").GetInt64());
        Assert.Equal(before.GetProperty("stateDigest").GetString(), after.GetProperty("stateDigest").GetString());
    }

    private async Task<string> Create()
    {
        var created = await Http.PostAsJsonAsync("/api/worlds", new { model = "keys-mouse", seed = 0, players = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private Task<HttpResponseMessage> Post(string path, string json) => Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
