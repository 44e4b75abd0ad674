using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests;

/// <summary>The batch endpoints from .NET (the Python suite in Python/ covers them in depth).</summary>
public sealed class BatchStepApiTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private HttpClient Http => host.Http;

    [Fact]
    public async Task A_batch_steps_every_world_and_returns_raw_frames()
    {
        var a = await CreateWorld(seed: 1, players: 1);
        var b = await CreateWorld(seed: 2, players: 2);

        var response = await Http.PostAsJsonAsync("/api/steps", new { steps = new object[] { new { world = a, actions = new[] { 1 } }, new { world = b, actions = new[] { 2, 3 } } } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([a, b], results.Select(r => r.GetProperty("world").GetString()));
        foreach (var r in results)
        {
            Assert.Equal(1, r.GetProperty("tick").GetInt64());
            Assert.Equal(3 * 64 * 64, r.GetProperty("frame").GetBytesFromBase64().Length);
            var world = await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{r.GetProperty("world").GetString()}");
            Assert.Equal(world.GetProperty("stateDigest").GetString(), r.GetProperty("stateDigest").GetString());
        }
        Assert.Equal(2, results[1].GetProperty("rewards").GetArrayLength());
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_is_refused_and_steps_nothing()
    {
        var a = await CreateWorld(seed: 3, players: 1);
        var before = await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{a}");

        var response = await Http.PostAsJsonAsync("/api/steps", new { steps = new object[] { new { world = a, actions = new[] { 1 } }, new { world = "w-missing", actions = new[] { 1 } } } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("w-missing", problem.GetProperty("worldId").GetString());
        var after = await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{a}");
        Assert.Equal(before.GetProperty("stateDigest").GetString(), after.GetProperty("stateDigest").GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_batch_endpoints()
    {
        var paths = (await Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");

        foreach (var path in new[] { "/api/steps", "/api/observations" })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing from the OpenAPI document");
            var post = item.GetProperty("post");
            Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
            Assert.True(post.GetProperty("responses").TryGetProperty("400", out _));
        }
    }

    private async Task<string> CreateWorld(long seed, int players)
    {
        var created = await Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed, players });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
