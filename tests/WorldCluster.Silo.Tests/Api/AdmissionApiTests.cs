using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Models.Reference;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Api;

/// <summary>A host whose resident state budget is taken by stepping worlds answers a new world with 503 and Retry-After, and stores nothing.</summary>
public sealed class AdmissionApiTests : IAsyncLifetime
{
    private static readonly long StateBytes = ReferenceWorld.ReferenceManifest.StoredState.Sum(s => s.ByteCount);
    private readonly SiloHostFixture _host = SiloHostFixture.With("admission", _ =>
    [
        "--WorldCluster:Models:Serve:0", "reference-world",
        "--WorldCluster:Models:ResidentStateBudgetBytes", (2 * StateBytes).ToString(CultureInfo.InvariantCulture),
        // A world stepped within the hour is working: nothing here depends on timing.
        "--WorldCluster:Models:AdmissionWindow", "01:00:00",
    ]);

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_full_host_answers_503_with_retry_after_and_stores_nothing_half_made()
    {
        for (var seed = 1; seed <= 2; seed++)
        {
            using var created = await _host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed, players = 2 });
            created.EnsureSuccessStatusCode();
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            using var stepped = await _host.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 1, 2 } });
            stepped.EnsureSuccessStatusCode();
        }
        var worlds = Path.Combine(_host.DataRoot, "worlds");
        var before = Directory.EnumerateDirectories(worlds).Count();

        using var refused = await _host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 3, players = 2 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("resident state budget", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, Directory.EnumerateDirectories(worlds).Count());
        using var list = await _host.Http.GetFromJsonAsync<JsonDocument>("/api/worlds");
        Assert.Equal(2, list!.RootElement.GetProperty("worlds").GetArrayLength());
    }
}
