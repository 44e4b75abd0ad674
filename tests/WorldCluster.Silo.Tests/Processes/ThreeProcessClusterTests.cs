using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WorldCluster.Silo.Tests.Processes;

/// <summary>
/// A real cluster of three processes on loopback, clustered through Azure Table Storage and keeping worlds in Azure Blob
/// Storage (both on Azurite): two model silos and one gateway silo. Worlds live on model silos only; when one model
/// silo is killed, its worlds come back on the other from the store with exact digests.
/// </summary>
public sealed class ThreeProcessClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly ProcessCluster _cluster = ProcessCluster.Clustered("three", Deadline);

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Worlds_live_on_model_silos_and_survive_the_kill_of_one_with_exact_digests()
    {
        await using var modelA = await _cluster.StartSiloAsync("a", "model");
        await using var modelB = await _cluster.StartSiloAsync("b", "model");
        await using var gateway = await _cluster.StartSiloAsync("g", "gateway");
        await WaitUntil(async () => (await gateway.Http.GetAsync("/health/ready")).IsSuccessStatusCode, "the gateway joined");

        var worlds = new Dictionary<string, (string Digest, long Tick)>();
        for (var i = 0; i < 8; i++)
        {
            var created = await gateway.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 100 + i, players = 1 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            JsonElement last = default;
            for (var t = 0; t < 3; t++)
            {
                last = await (await gateway.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 1 + t } })).Content.ReadFromJsonAsync<JsonElement>();
            }
            worlds[id] = (last.GetProperty("stateDigest").GetString()!, last.GetProperty("tick").GetInt64());
        }
        var hosts = new Dictionary<string, int>();
        foreach (var id in worlds.Keys)
        {
            hosts[id] = ProcessCluster.PortOf((await gateway.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}")).GetProperty("silo").GetString()!);
        }
        Assert.DoesNotContain(gateway.SiloPort, hosts.Values);
        Assert.All(hosts.Values, port => Assert.Contains(port, new[] { modelA.SiloPort, modelB.SiloPort }));
        Assert.Contains(modelA.SiloPort, hosts.Values);

        await modelA.KillAsync();

        foreach (var (id, (digest, tick)) in worlds)
        {
            JsonElement world = default;
            await WaitUntil(async () =>
            {
                var response = await gateway.Http.GetAsync($"/api/worlds/{id}");
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }
                world = await response.Content.ReadFromJsonAsync<JsonElement>();
                return true;
            }, $"world {id} serving again");
            Assert.Equal(digest, world.GetProperty("stateDigest").GetString());
            Assert.Equal(tick, world.GetProperty("tick").GetInt64());
            Assert.Equal(modelB.SiloPort, ProcessCluster.PortOf(world.GetProperty("silo").GetString()!));
        }
    }

    // Polls a condition over HTTP at a short, bounded interval until it holds or the deadline passes.
    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!timeout.IsCancellationRequested)
            {
            }
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"not within {Deadline}: {what}");
            }
            await Task.Delay(200, timeout.Token);
        }
    }
}
