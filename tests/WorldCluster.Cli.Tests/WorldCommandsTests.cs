using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Cli.Tests;

public sealed class WorldCommandsTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private string Url => host.Http.BaseAddress!.ToString();

    [Fact]
    public async Task The_verbs_create_step_get_list_fork_and_delete_a_world()
    {
        var models = await Run("models", "--url", Url, "--token", host.AdminToken);
        var created = Json(await Run("create", "reference-world", "--seed", "5", "--players", "2", "--url", Url, "--token", host.AdminToken, "--json"));
        var id = created.GetProperty("id").GetString()!;
        var stepped = Json(await Run("step", id, "1", "2", "--count", "3", "--url", Url, "--token", host.AdminToken, "--json"));
        var got = await Run("get", id, "--url", Url, "--token", host.AdminToken);
        var list = await Run("list", "--url", Url, "--token", host.AdminToken);
        var fork = Json(await Run("fork", id, "--at-tick", "1", "--url", Url, "--token", host.AdminToken, "--json"));
        var forkId = fork.GetProperty("id").GetString()!;
        var deleted = await Run("delete", forkId, "--url", Url, "--token", host.AdminToken);
        var (exit, _, error) = await CliRun.InvokeAsync("get", forkId, "--url", Url, "--token", host.AdminToken);

        Assert.Contains("reference-world", models, StringComparison.Ordinal);
        Assert.Equal(0, created.GetProperty("tick").GetInt64());
        Assert.Equal(3, stepped.GetProperty("tick").GetInt64());
        Assert.Contains(stepped.GetProperty("stateDigest").GetString()!, got, StringComparison.Ordinal);
        Assert.Contains(id, list.Split('\n').Select(l => l.Trim()));
        Assert.Equal((id, 1L), (fork.GetProperty("forkedFrom").GetProperty("worldId").GetString(), fork.GetProperty("forkedFrom").GetProperty("tick").GetInt64()));
        Assert.Contains($"deleted {forkId}", deleted, StringComparison.Ordinal);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: 404", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_prints_the_problem_and_exits_1()
    {
        var id = (await Run("create", "reference-world", "--players", "2", "--url", Url, "--token", host.AdminToken, "--quiet")).Trim();

        var (exit, _, error) = await CliRun.InvokeAsync("step", id, "1", "--url", Url, "--token", host.AdminToken);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: 400", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_as_a_player_prints_ticks_and_stops_after_its_seconds()
    {
        var id = (await Run("create", "reference-world", "--players", "1", "--hz", "20", "--url", Url, "--token", host.AdminToken, "-q")).Trim();

        var output = await Run("watch", id, "--role", "player", "--action", "2", "--seconds", "2.5", "--url", Url, "--token", host.AdminToken);

        var lines = output.Split('\n').Where(l => l.StartsWith("tick ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Contains("fps", l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains("latency", l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains("durable", l, StringComparison.Ordinal));
        Assert.Contains(", 0 gaps", output, StringComparison.Ordinal);
        var world = Json(await Run("get", id, "--url", Url, "--token", host.AdminToken, "--json"));
        Assert.True(world.GetProperty("tick").GetInt64() > 0, "the world ticked while watch was its player");
    }

    [Fact]
    public async Task List_pages_with_limit_and_after_and_no_token_is_a_401()
    {
        for (var i = 0; i < 3; i++)
        {
            await Run("create", "reference-world", "--url", Url, "--token", host.AdminToken, "-q");
        }

        var page = Json(await Run("list", "--limit", "2", "--url", Url, "--token", host.AdminToken, "--json"));
        var next = page.GetProperty("next").GetString()!;
        var rest = await Run("list", "--after", next, "--limit", "1000", "--url", Url, "--token", host.AdminToken);
        var all = await Run("list", "--url", Url, "--token", host.AdminToken);
        var (exit, _, error) = await CliRun.InvokeAsync("list", "--url", Url, "--token", "");

        string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, page.GetProperty("worlds").GetArrayLength());
        Assert.Equal<IEnumerable<string>>(Lines(all), [.. page.GetProperty("worlds").EnumerateArray().Select(e => e.GetString()!), .. Lines(rest)]);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: 401", error, StringComparison.Ordinal);
    }

    private static async Task<string> Run(params string[] args)
    {
        var (exit, output, error) = await CliRun.InvokeAsync(args);
        Assert.True(exit == 0, $"worldcluster {string.Join(' ', args)} exited {exit}: {error}");
        return output;
    }

    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement.Clone();
}
