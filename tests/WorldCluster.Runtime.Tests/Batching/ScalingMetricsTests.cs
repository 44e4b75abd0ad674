using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WorldCluster.Models.Catalog;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Batching;

// The gauges a model silo's autoscaler reads from /metrics: each batcher's busy share and the resident working set ÷ budget.
public sealed class ScalingMetricsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const int Players = 2;

    [Fact]
    public async Task The_busy_ratio_on_metrics_is_the_share_of_the_window_spent_in_model_calls()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var registry = new SiloMetricsRegistry();
        using var batchers = NewBatchers(model, time, registry.Metrics, new ResidentStateOptions());
        await batchers.StartAsync(CancellationToken.None);
        Assert.True(batchers.TryGet(model.Manifest.Name, out var batcher));
        var state = (await batcher.InitAsync(new WorldSeed(1, Players)).WaitAsync(Deadline)).State;

        // Three model calls of 3 s each on the fake clock, and 21 s of nothing: 9 s of 30.
        model.OnCall = () => time.Advance(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 3; i++)
        {
            state = (await batcher.StepAsync(state, [1, 0]).WaitAsync(Deadline)).State;
        }
        model.OnCall = null;
        time.Advance(TimeSpan.FromSeconds(21));

        var text = await ScrapeAsync(registry);
        Assert.Contains($"{MetricNames.BatcherBusyRatio}{{model=\"{model.Manifest.Name}\"}} 0.3\n", text, StringComparison.Ordinal);
        // A window later, with no calls, the batcher reads idle.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, BusyRatio(await ScrapeAsync(registry), model.Manifest.Name), 9);
    }

    [Fact]
    public async Task A_scrape_during_a_long_model_call_counts_the_call_so_far()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var registry = new SiloMetricsRegistry();
        using var batchers = NewBatchers(model, time, registry.Metrics, new ResidentStateOptions());
        await batchers.StartAsync(CancellationToken.None);
        Assert.True(batchers.TryGet(model.Manifest.Name, out var batcher));
        var state = (await batcher.InitAsync(new WorldSeed(1, Players)).WaitAsync(Deadline)).State;
        using var gate = new ManualResetEventSlim(false);
        var inCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        time.Advance(TimeSpan.FromSeconds(10));
        model.OnCall = () =>
        {
            time.Advance(TimeSpan.FromSeconds(20));
            inCall.TrySetResult();
            gate.Wait(Deadline);
        };

        var step = batcher.StepAsync(state, [1, 0]);
        await inCall.Task.WaitAsync(Deadline);
        // 20 s into a call that has not ended, 30 s after the batcher started.
        Assert.Equal(20.0 / 30, BusyRatio(await ScrapeAsync(registry), model.Manifest.Name), 9);

        gate.Set();
        await step.WaitAsync(Deadline);
    }

    [Fact]
    public async Task The_budget_ratio_is_the_working_set_over_the_budget_not_what_stays_resident()
    {
        using var model = new LinearTestModel([8]);
        var rowBytes = model.Manifest.StoredState.Sum(s => s.ByteCount);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var metrics = NewMetrics();
        var options = new ResidentStateOptions { ResidentStateBudgetBytes = 10 * rowBytes, AdmissionWindow = TimeSpan.FromSeconds(2) };
        using var batchers = NewBatchers(model, time, metrics, options);
        await batchers.StartAsync(CancellationToken.None);
        Assert.True(batchers.TryGet(model.Manifest.Name, out var batcher));
        var seed = (await batcher.InitAsync(new WorldSeed(7, Players)).WaitAsync(Deadline)).State;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => batcher.ResidentStepAsync($"w{w}", 0, Players, seed, [0, 1], wantHost: false))).WaitAsync(Deadline);
        Assert.Equal(0.4, await batchers.PublishWorkingSetShareAsync().WaitAsync(Deadline), 9);
        Assert.Equal(0.4, metrics.ResidentStateBudgetRatio.Value, 9);

        // Past the admission window the four states are still resident, but no longer working: nothing to scale for.
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(4, batcher.ResidentWorlds);
        await batchers.PublishWorkingSetShareAsync().WaitAsync(Deadline);
        Assert.Equal(0, metrics.ResidentStateBudgetRatio.Value, 9);
    }

    [Fact]
    public async Task An_unbounded_budget_reads_zero()
    {
        using var model = new LinearTestModel([8]);
        var metrics = NewMetrics();
        using var batchers = NewBatchers(model, new FakeTimeProvider(), metrics, new ResidentStateOptions());
        await batchers.StartAsync(CancellationToken.None);
        Assert.True(batchers.TryGet(model.Manifest.Name, out var batcher));
        var seed = (await batcher.InitAsync(new WorldSeed(7, Players)).WaitAsync(Deadline)).State;
        await batcher.ResidentStepAsync("w", 0, Players, seed, [0, 1], wantHost: false).WaitAsync(Deadline);

        metrics.ResidentStateBudgetRatio.Set(0.5);
        Assert.Equal(0, await batchers.PublishWorkingSetShareAsync().WaitAsync(Deadline));
        Assert.Equal(0, metrics.ResidentStateBudgetRatio.Value);
    }

    private static async Task<string> ScrapeAsync(SiloMetricsRegistry registry)
    {
        using var text = new MemoryStream();
        await registry.ExportAsTextAsync(text, CancellationToken.None);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    private static double BusyRatio(string scrape, string model)
    {
        var line = Regex.Match(scrape, $"^{MetricNames.BatcherBusyRatio}\\{{model=\"{Regex.Escape(model)}\"\\}} (\\S+)$", RegexOptions.Multiline);
        Assert.True(line.Success, $"no busy ratio for {model} in the scrape");
        return double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static StepBatchers NewBatchers(IWorldModel model, TimeProvider time, WorldClusterMetrics metrics, ResidentStateOptions resident) =>
        new(new ModelCatalog([model]),
            Options.Create(new StepBatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero, BusyWindow = TimeSpan.FromSeconds(30) }),
            Options.Create(resident), time, metrics, NullLoggerFactory.Instance);

    private static WorldClusterMetrics NewMetrics() => new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
}
