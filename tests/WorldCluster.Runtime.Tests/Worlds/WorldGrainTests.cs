using WorldCluster.Abstractions;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Worlds;

public sealed class WorldGrainTests(WorldClusterFixture fixture) : IClassFixture<WorldClusterFixture>
{
    private const string Model = "reference-world";

    [Fact]
    public async Task A_new_world_starts_at_tick_zero_with_the_models_player_slots()
    {
        var info = await Create(seed: 7);

        Assert.Equal(0, info.Tick);
        Assert.Equal(4, info.Players);
        Assert.Equal(Model, info.Model);
        Assert.Matches("^[0-9a-f]{64}$", info.StateDigest);
    }

    [Fact]
    public async Task Equal_seeds_and_actions_give_equal_digests_and_other_actions_differ()
    {
        var a = World(await Create(seed: 11, players: 2));
        var b = World(await Create(seed: 11, players: 2));
        var c = World(await Create(seed: 11, players: 2));

        var everDiffered = false;
        for (var t = 0; t < 12; t++)
        {
            int[] actions = [4, 2];
            var ra = await a.StepAsync(new StepRequest(actions));
            var rb = await b.StepAsync(new StepRequest(actions));
            var rc = await c.StepAsync(new StepRequest([0, 0]));
            Assert.Equal(ra, rb);
            Assert.Equal(t + 1, ra.Tick);
            everDiffered |= ra.StateDigest != rc.StateDigest;
        }
        Assert.True(everDiffered, "moving players gave the same states as standing still");
    }

    [Fact]
    public async Task Worlds_stepped_concurrently_match_worlds_stepped_one_at_a_time()
    {
        const int Worlds = 12;
        var together = await Task.WhenAll(Enumerable.Range(0, Worlds).Select(i => Create(seed: 500 + i)));
        var alone = new List<WorldInfo>();
        foreach (var i in Enumerable.Range(0, Worlds))
        {
            alone.Add(await Create(seed: 500 + i));
        }
        for (var t = 0; t < 5; t++)
        {
            var batch = await Task.WhenAll(together.Select((w, i) => World(w).StepAsync(new StepRequest(Actions(i, t)))));
            for (var i = 0; i < Worlds; i++)
            {
                var single = await World(alone[i]).StepAsync(new StepRequest(Actions(i, t)));
                Assert.Equal(single.StateDigest, batch[i].StateDigest);
            }
        }

        static int[] Actions(int world, int tick) => [.. Enumerable.Range(0, 4).Select(p => (world + tick + p) % 6)];
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1 })]
    [InlineData(new[] { 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 1, 6, 0, 0 })]
    [InlineData(new[] { -1, 0, 0, 0 })]
    public async Task Bad_actions_are_refused_and_change_nothing(int[] actions)
    {
        var info = await Create(seed: 3);
        var world = World(info);

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => world.StepAsync(new StepRequest(actions)));

        Assert.Equal(WorldErrorKind.BadRequest, e.Kind);
        Assert.Equal(info, await world.GetAsync());
    }

    [Fact]
    public async Task Unknown_worlds_and_models_are_not_found()
    {
        var missing = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        var e1 = await Assert.ThrowsAsync<WorldRequestException>(() => missing.GetAsync());
        var e2 = await Assert.ThrowsAsync<WorldRequestException>(() =>
            fixture.Client.GetGrain<IWorldGrain>(WorldId.New()).CreateAsync(new CreateWorldRequest("no-such-model", 1, null)));

        Assert.Equal(WorldErrorKind.NotFound, e1.Kind);
        Assert.Equal(WorldErrorKind.NotFound, e2.Kind);
    }

    [Fact]
    public async Task Creating_an_existing_world_conflicts_and_keeps_it()
    {
        var info = await Create(seed: 5);
        var world = World(info);
        await world.StepAsync(new StepRequest([1, 2, 3, 4]));
        var before = await world.GetAsync();

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => world.CreateAsync(new CreateWorldRequest(Model, 99, null)));

        Assert.Equal(WorldErrorKind.Conflict, e.Kind);
        Assert.Equal(before, await world.GetAsync());
    }

    [Fact]
    public async Task A_deactivated_world_comes_back_with_the_same_digest()
    {
        var world = World(await Create(seed: 21));
        for (var t = 0; t < 6; t++)
        {
            await world.StepAsync(new StepRequest([t % 6, 4, 3, 5]));
        }
        var before = await world.GetAsync();
        var frameBefore = await world.GetFrameAsync();

        await fixture.Cluster.DeactivateAsync(world);
        await fixture.Cluster.WaitForDeactivationAsync(world);

        Assert.Equal(before, await world.GetAsync());
        Assert.Equal(frameBefore.Pixels, (await world.GetFrameAsync()).Pixels);
    }

    [Theory]
    [InlineData("head")]
    [InlineData("snapshot")]
    [InlineData("journal")]
    public async Task Corrupt_stored_data_is_refused_and_left_untouched(string part)
    {
        var info = await Create(seed: 33);
        var world = World(info);
        await world.StepAsync(new StepRequest([1, 2, 3, 4]));
        await fixture.Cluster.DeactivateAsync(world);
        await fixture.Cluster.WaitForDeactivationAsync(world);
        var file = StoredFile(info.Id, part);
        var damaged = await File.ReadAllBytesAsync(file);
        damaged[damaged.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(file, damaged);
        var before = Snapshot(fixture.DataRoot);

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => world.GetAsync());
        var e2 = await Assert.ThrowsAsync<WorldRequestException>(() => world.StepAsync(new StepRequest([0, 0, 0, 0])));
        var e3 = await Assert.ThrowsAsync<WorldRequestException>(() => world.CreateAsync(new CreateWorldRequest(Model, 33, null)));

        Assert.All([e, e2, e3], x => Assert.Equal(WorldErrorKind.Unprocessable, x.Kind));
        Assert.Contains(info.Id, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(fixture.DataRoot));
    }

    private string StoredFile(string worldId, string part)
    {
        var folder = Path.Combine(fixture.DataRoot, "worlds", worldId);
        return part switch
        {
            "head" => Path.Combine(folder, "head.json"),
            "journal" => Directory.GetFiles(Path.Combine(folder, "journal")).Single(),
            _ => SnapshotFileOf(worldId),
        };
    }

    private string SnapshotFileOf(string worldId)
    {
        var head = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixture.DataRoot, "worlds", worldId, "head.json")));
        var hash = head.RootElement.GetProperty("head").GetProperty("snapshots").EnumerateArray().Last().GetProperty("hash").GetString()!;
        return Directory.GetFiles(Path.Combine(fixture.DataRoot, "snapshots"), hash + "*", SearchOption.AllDirectories).Single();
    }

    // Every file under the data folder with its bytes (lock files excluded): proves nothing was rewritten.
    private static Dictionary<string, string> Snapshot(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}locks{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => f, f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    private async Task<WorldInfo> Create(long seed, int? players = null) =>
        await fixture.Client.GetGrain<IWorldGrain>(WorldId.New()).CreateAsync(new CreateWorldRequest(Model, seed, players));

    private IWorldGrain World(WorldInfo info) => fixture.Client.GetGrain<IWorldGrain>(info.Id);
}
