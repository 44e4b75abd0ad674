using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Processes;

/// <summary>
/// A real cluster of three processes on loopback, clustered through Azure Table Storage and keeping worlds in Azure Blob
/// Storage (both on Azurite): two model silos and one gateway silo. Worlds live on model silos only; when one model
/// silo is killed, its worlds come back on the other from the store with exact digests.
/// </summary>
public sealed class ThreeProcessClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly AzuriteFixture _azurite = AzuriteFixture.For(AzuriteServices.Blob | AzuriteServices.Table);
    private readonly string _data = Directory.CreateTempSubdirectory("worldcluster-3p-").FullName;
    private readonly string _cluster = $"c{Guid.NewGuid():N}"[..12];

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Worlds_live_on_model_silos_and_survive_the_kill_of_one_with_exact_digests()
    {
        await using var modelA = await Start("model", "a");
        await using var modelB = await Start("model", "b");
        await using var gateway = await Start("gateway", "g");
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
            hosts[id] = PortOf((await gateway.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}")).GetProperty("silo").GetString()!);
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
            Assert.Equal(modelB.SiloPort, PortOf(world.GetProperty("silo").GetString()!));
        }
    }

    private Task<SiloProcess> Start(string role, string name) =>
        SiloProcess.StartAsync(Directory.CreateDirectory(Path.Combine(_data, name)).FullName,
        [
            "--WorldCluster:Role", role,
            "--WorldCluster:ClusterId", _cluster,
            "--WorldCluster:Clustering:Kind", "azure-table",
            "--WorldCluster:Clustering:ConnectionString", _azurite.ConnectionString,
            "--WorldCluster:Store:Kind", "azure-blob",
            "--WorldCluster:Store:ConnectionString", _azurite.ConnectionString,
            "--WorldCluster:Store:Container", _cluster,
            "--WorldCluster:AdvertisedAddress", "127.0.0.1",
            // Declare a killed silo dead within seconds, not the production default of about a minute.
            "--WorldCluster:Membership:ProbeTimeout", "00:00:01",
            "--WorldCluster:Membership:NumMissedProbesLimit", "2",
            "--WorldCluster:Membership:IAmAliveTablePublishTimeout", "00:00:05",
        ], Deadline);

    private static int PortOf(string siloAddress) =>
        int.Parse(siloAddress.TrimStart('S').Split(':')[1], CultureInfo.InvariantCulture);

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
