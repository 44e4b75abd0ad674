using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests;

public sealed class WorldApiTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private HttpClient Http => host.Http;

    [Fact]
    public async Task Health_is_live_and_ready()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/health/live")).StatusCode);
        var ready = await Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Models_list_the_reference_world_with_its_action_space()
    {
        var models = await Http.GetFromJsonAsync<JsonElement>("/api/models");

        var reference = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "reference-world");
        Assert.Equal(4, reference.GetProperty("maxPlayers").GetInt32());
        Assert.Equal([3, 64, 64], reference.GetProperty("observationShape").EnumerateArray().Select(e => e.GetInt32()));
        var space = reference.GetProperty("actionSpace");
        Assert.Equal("discrete", space.GetProperty("type").GetString());
        Assert.Equal(6, space.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task A_world_is_created_stepped_and_shown()
    {
        var created = await Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 42 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var world = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = world.GetProperty("id").GetString()!;
        Assert.Equal($"/api/worlds/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(0, world.GetProperty("tick").GetInt64());
        Assert.Equal(4, world.GetProperty("players").GetInt32());
        Assert.Equal("reference-world", world.GetProperty("model").GetString());

        var got = await Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
        Assert.Equal(world.GetProperty("stateDigest").GetString(), got.GetProperty("stateDigest").GetString());

        var step = await Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 1, 2, 3, 4 } });
        Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        var stepped = await step.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, stepped.GetProperty("tick").GetInt64());
        Assert.NotEqual(world.GetProperty("stateDigest").GetString(), stepped.GetProperty("stateDigest").GetString());

        var frame = await Http.GetAsync($"/api/worlds/{id}/frame");
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        Assert.Equal("image/png", frame.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", frame.Headers.GetValues("X-World-Tick").Single());
        var png = await frame.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);

        var list = await Http.GetFromJsonAsync<JsonElement>("/api/worlds");
        Assert.Contains(id, list.GetProperty("worlds").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Equal_seeds_and_actions_give_equal_digests_over_http()
    {
        var a = await CreateWorld(seed: 9);
        var b = await CreateWorld(seed: 9);
        string? da = null, db = null;
        for (var t = 0; t < 5; t++)
        {
            var body = new { actions = new[] { t % 6, 1, 5, 2 } };
            da = (await (await Http.PostAsJsonAsync($"/api/worlds/{a}/step", body)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString();
            db = (await (await Http.PostAsJsonAsync($"/api/worlds/{b}/step", body)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString();
        }
        Assert.Equal(da, db);
    }

    public static TheoryData<string, string, HttpStatusCode> BadSteps => new()
    {
        { "wrong number of actions", """{"actions":[1,2]}""", HttpStatusCode.BadRequest },
        { "out-of-range action", """{"actions":[1,2,3,6]}""", HttpStatusCode.BadRequest },
        { "negative action", """{"actions":[-1,0,0,0]}""", HttpStatusCode.BadRequest },
        { "fractional action", """{"actions":[1.5,0,0,0]}""", HttpStatusCode.BadRequest },
        { "string action", """{"actions":["up",0,0,0]}""", HttpStatusCode.BadRequest },
        { "huge action", """{"actions":[99999999999,0,0,0]}""", HttpStatusCode.BadRequest },
        { "missing actions", """{}""", HttpStatusCode.BadRequest },
        { "null actions", """{"actions":null}""", HttpStatusCode.BadRequest },
        { "unknown member", """{"actions":[0,0,0,0],"extra":1}""", HttpStatusCode.BadRequest },
        { "malformed JSON", """{"actions":[0,0,""", HttpStatusCode.BadRequest },
        { "not an object", """[0,0,0,0]""", HttpStatusCode.BadRequest },
        { "empty body", "", HttpStatusCode.BadRequest },
        { "too large", "{\"actions\":[" + string.Join(",", Enumerable.Repeat("0", 40000)) + "]}", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadSteps))]
    public async Task Bad_steps_get_a_problem_and_change_nothing(string why, string body, HttpStatusCode expected)
    {
        var id = await CreateWorld(seed: 77);
        var before = await Http.GetStringAsync($"/api/worlds/{id}");

        var response = await Http.PostAsync($"/api/worlds/{id}/step", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(expected == response.StatusCode, $"{why}: expected {expected}, got {response.StatusCode}");
        await AssertProblem(response, (int)expected);
        Assert.Equal(before, await Http.GetStringAsync($"/api/worlds/{id}"));
    }

    [Fact]
    public async Task A_step_that_is_not_json_is_refused_as_unsupported_media()
    {
        var id = await CreateWorld(seed: 78);
        var before = await Http.GetStringAsync($"/api/worlds/{id}");

        var response = await Http.PostAsync($"/api/worlds/{id}/step", new StringContent("actions=1,2,3,4", Encoding.UTF8, "text/plain"));

        await AssertProblem(response, 415);
        Assert.Equal(before, await Http.GetStringAsync($"/api/worlds/{id}"));
    }

    public static TheoryData<string, string, HttpStatusCode> BadCreates => new()
    {
        { "unknown model", """{"model":"no-such-model","seed":1}""", HttpStatusCode.NotFound },
        { "missing model", """{"seed":1}""", HttpStatusCode.BadRequest },
        { "too many players", """{"model":"reference-world","seed":1,"players":5}""", HttpStatusCode.BadRequest },
        { "zero players", """{"model":"reference-world","seed":1,"players":0}""", HttpStatusCode.BadRequest },
        { "seed as string", """{"model":"reference-world","seed":"1"}""", HttpStatusCode.BadRequest },
        { "malformed JSON", """{"model":""", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Bad_creates_get_a_problem_and_create_nothing(string why, string body, HttpStatusCode expected)
    {
        var before = await Http.GetStringAsync("/api/worlds");

        var response = await Http.PostAsync("/api/worlds", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(expected == response.StatusCode, $"{why}: expected {expected}, got {response.StatusCode}");
        await AssertProblem(response, (int)expected);
        Assert.Equal(before, await Http.GetStringAsync("/api/worlds"));
    }

    [Theory]
    [InlineData("/api/worlds/w-0000000000000000", HttpStatusCode.NotFound)]
    [InlineData("/api/worlds/w-0000000000000000/frame", HttpStatusCode.NotFound)]
    [InlineData("/api/worlds/NOT_AN_ID", HttpStatusCode.BadRequest)]
    [InlineData("/api/worlds/..%2F..%2Fetc", HttpStatusCode.BadRequest)]
    [InlineData("/api/nothing-here", HttpStatusCode.NotFound)]
    public async Task Unknown_or_malformed_ids_get_a_problem(string path, HttpStatusCode expected)
    {
        var response = await Http.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        await AssertProblem(response, (int)expected);
    }

    [Fact]
    public async Task Stepping_an_unknown_world_is_not_found()
    {
        var response = await Http.PostAsJsonAsync("/api/worlds/w-0000000000000001/step", new { actions = new[] { 0, 0, 0, 0 } });

        await AssertProblem(response, 404);
    }

    [Fact]
    public async Task A_deleted_world_is_gone_and_a_second_delete_is_not_found()
    {
        var id = await CreateWorld(seed: 6);

        var first = await Http.DeleteAsync($"/api/worlds/{id}");
        var get = await Http.GetAsync($"/api/worlds/{id}");
        var second = await Http.DeleteAsync($"/api/worlds/{id}");
        var list = await Http.GetFromJsonAsync<JsonElement>("/api/worlds");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        await AssertProblem(get, 404);
        await AssertProblem(second, 404);
        Assert.DoesNotContain(id, list.GetProperty("worlds").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_world_endpoints()
    {
        var document = await Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/models", "/api/worlds", "/api/worlds/{id}", "/api/worlds/{id}/step", "/api/worlds/{id}/fork", "/api/worlds/{id}/frame" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }
        Assert.True(paths.GetProperty("/api/worlds/{id}/step").TryGetProperty("post", out var step));
        Assert.True(step.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }

    [Fact]
    public async Task Metrics_report_steps_and_batches()
    {
        var id = await CreateWorld(seed: 5);
        await Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 0, 0, 0, 0 } });

        var text = await Http.GetStringAsync("/metrics");

        Assert.Contains("worldcluster_step_seconds_count{model=\"reference-world\",phase=\"step\"}", text, StringComparison.Ordinal);
        Assert.Contains("worldcluster_batch_size_count{model=\"reference-world\"}", text, StringComparison.Ordinal);
        Assert.Contains("worldcluster_ticks_total{model=\"reference-world\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_export_the_model_silos_autoscaling_signal()
    {
        var id = await CreateWorld(seed: 6);
        (await Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 0, 0, 0, 0 } })).EnsureSuccessStatusCode();

        // The busy share is read as the scrape begins; the budget share is a gauge from the start.
        var text = await Http.GetStringAsync("/metrics");

        Assert.Matches("(?m)^worldcluster_batcher_busy_ratio\\{model=\"reference-world\"\\} [0-9.eE+-]+$", text);
        // The host runs with an unbounded budget: 0, not absent, so that an HPA reads it.
        Assert.Matches("(?m)^worldcluster_resident_state_budget_ratio 0$", text);
    }

    private async Task<string> CreateWorld(long seed)
    {
        var response = await Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task AssertProblem(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
    }
}
