using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Reliability.Soak;

/// <summary>
/// The load of a soak run against one silo: agents stepping on-demand worlds as fast as they are answered, real-time worlds
/// ticking with a player each, spectators coming and going, and forks made and deleted; the silo's <c>/metrics</c> sampled
/// all along.
/// </summary>
/// <param name="http">A client of the silo.</param>
/// <param name="sampleEvery">How often to read the silo's metrics.</param>
public sealed class SoakLoad(HttpClient http, TimeSpan sampleEvery)
{
    private const int OnDemandWorlds = 16;
    private const int Agents = 4;
    private const int RealtimeWorlds = 4;
    private const int TickHz = 20;

    /// <summary>Runs the load for <paramref name="duration"/> and returns the samples, in time order.</summary>
    public async Task<IReadOnlyList<SoakSample>> RunAsync(TimeSpan duration)
    {
        var onDemand = new List<string>();
        for (var i = 0; i < OnDemandWorlds; i++)
        {
            onDemand.Add(await Create(new { model = "reference-world", seed = 7000 + i, players = 2 }));
        }
        var realtime = new List<string>();
        var players = new List<SessionClient>();
        try
        {
            for (var i = 0; i < RealtimeWorlds; i++)
            {
                var id = await Create(new { model = "reference-world", seed = 8000 + i, players = 1, tickHz = TickHz });
                realtime.Add(id);
                players.Add(await Connect(id, "role=player"));
            }
            using var stop = new CancellationTokenSource(duration);
            var clock = Stopwatch.StartNew();
            var samples = new List<SoakSample>();
            var work = new List<Task>();
            work.AddRange(Enumerable.Range(0, Agents).Select(a => Agent(onDemand.Where((_, i) => i % Agents == a).ToList(), stop.Token)));
            work.AddRange(players.Select((p, i) => Player(p, i, stop.Token)));
            work.Add(Spectators(realtime, stop.Token));
            work.Add(Forks(onDemand, stop.Token));
            work.Add(Sample(samples, clock, stop.Token));
            await Task.WhenAll(work);
            return samples;
        }
        finally
        {
            foreach (var player in players)
            {
                await player.DisposeAsync();
            }
        }
    }

    private async Task Agent(List<string> worlds, CancellationToken stop)
    {
        var random = new Random(worlds.Count);
        while (!stop.IsCancellationRequested)
        {
            foreach (var id in worlds)
            {
                var response = await Quietly(() => http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { random.Next(6), random.Next(6) } }, stop));
                response?.Dispose();
            }
        }
    }

    private static async Task Player(SessionClient player, int index, CancellationToken stop)
    {
        var action = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500 + (index * 50)));
        while (await Quietly(() => timer.WaitForNextTickAsync(stop).AsTask()))
        {
            await player.SendTextAsync($$"""{"action": {{action++ % 6}}}""");
            player.ForgetFrames();
        }
    }

    private async Task Spectators(List<string> worlds, CancellationToken stop)
    {
        var round = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        while (await Quietly(() => timer.WaitForNextTickAsync(stop).AsTask()))
        {
            var (spectator, _) = await SessionClient.ConnectAsync(http, worlds[round++ % worlds.Count], "role=spectator");
            if (spectator is not null)
            {
                await Quietly(() => spectator.WaitUntil(c => c.Frames.Count >= 3, TimeSpan.FromSeconds(5)));
                await spectator.DisposeAsync();
            }
        }
    }

    private async Task Forks(List<string> worlds, CancellationToken stop)
    {
        var round = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await Quietly(() => timer.WaitForNextTickAsync(stop).AsTask()))
        {
            using var fork = await Quietly(() => http.PostAsync($"/api/worlds/{worlds[round++ % worlds.Count]}/fork", null, stop));
            if (fork is { IsSuccessStatusCode: true })
            {
                var id = (await fork.Content.ReadFromJsonAsync<JsonElement>(stop)).GetProperty("id").GetString();
                using var deleted = await Quietly(() => http.DeleteAsync($"/api/worlds/{id}", CancellationToken.None));
            }
        }
    }

    private async Task Sample(List<SoakSample> samples, Stopwatch clock, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(sampleEvery);
        do
        {
            var page = await http.GetStringAsync("/metrics", CancellationToken.None);
            samples.Add(new SoakSample(clock.Elapsed,
                PrometheusText.Sum(page, "process_working_set_bytes"),
                PrometheusText.Sum(page, "dotnet_total_memory_bytes"),
                PrometheusText.Sum(page, "process_num_threads"),
                PrometheusText.Sum(page, MetricNames.LiveTensors),
                PrometheusText.Sum(page, MetricNames.TicksTotal),
                PrometheusText.Sum(page, MetricNames.NativeHeapInUse),
                PrometheusText.Sum(page, MetricNames.NativeHeapHeld),
                PrometheusText.Sum(page, MetricNames.LiveTensorsBetweenBatches)));
        }
        while (await Quietly(() => timer.WaitForNextTickAsync(stop).AsTask()));
    }

    private async Task<string> Create(object body)
    {
        var response = await http.PostAsJsonAsync("/api/worlds", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<SessionClient> Connect(string id, string query)
    {
        var (client, refused) = await SessionClient.ConnectAsync(http, id, query);
        return client ?? throw new InvalidOperationException($"session refused: {refused}");
    }

    // The end of the run cancels whatever is in flight: that is not a failure of the silo.
    private static async Task<T?> Quietly<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (OperationCanceledException)
        {
            return default;
        }
    }

    private static async Task Quietly(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
    }
}
