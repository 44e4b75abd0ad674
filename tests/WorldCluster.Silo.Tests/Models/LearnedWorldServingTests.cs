using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Models;

/// <summary>The built-in learned model, loaded from the package shipped beside the silo, served through the HTTP API.</summary>
public sealed class LearnedWorldServingTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    [Fact]
    public async Task A_fresh_silo_serves_the_learned_world_and_a_fork_replays_it_exactly()
    {
        var models = await host.Http.GetFromJsonAsync<JsonElement>("/api/models");
        Assert.Contains(models.EnumerateArray(), m => m.GetProperty("name").GetString() == "learned-world");

        using var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "learned-world", seed = 42, players = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        int[][] actions = [[4, 2, 0, 0], [4, 1, 0, 0], [2, 5, 0, 0]];
        var digests = new List<string>();
        foreach (var step in actions)
        {
            using var stepped = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = step[..2] });
            Assert.Equal(HttpStatusCode.OK, stepped.StatusCode);
            digests.Add((await stepped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString()!);
        }
        using var frame = await host.Http.GetAsync($"/api/worlds/{id}/frame");
        Assert.Equal("image/png", frame.Content.Headers.ContentType?.MediaType);

        // A fork at tick 2 is rebuilt by running the model again; its next step must land on the original's tick-3 digest.
        using var forked = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/fork", new { atTick = 2 });
        Assert.Equal(HttpStatusCode.Created, forked.StatusCode);
        var fork = await forked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(digests[1], fork.GetProperty("stateDigest").GetString());
        using var again = await host.Http.PostAsJsonAsync($"/api/worlds/{fork.GetProperty("id").GetString()}/step", new { actions = actions[2][..2] });
        Assert.Equal(digests[2], (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString());
    }
}
