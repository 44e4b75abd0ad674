using System.Globalization;
using System.Text;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Silo.Tests.Processes;
using Xunit.Abstractions;

namespace WorldCluster.Silo.Tests.Reliability.Soak;

/// <summary>
/// A soak run against a real silo process: after warm-up, its resident memory, thread count and live TorchSharp tensors stay
/// flat (growth ≤ 5 %) while worlds tick, step, fork and are watched; the managed heap's floor is reported beside them.
/// The short mode runs 10 minutes (WORLDCLUSTER_TESTS=all runs it with the suite); set <c>WORLDCLUSTER_SOAK_MINUTES</c> for a longer one. Each run writes its samples to
/// <c>artifacts/soak/</c>.
/// </summary>
[Trait("Category", "Soak")]
[Collection(ReliabilityTestGroup.Name)]
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The variable that sets a run's length in minutes (default <see cref="CiMinutes"/>).</summary>
    public const string MinutesVariable = "WORLDCLUSTER_SOAK_MINUTES";

    private const double CiMinutes = 10;
    private const double AllowedGrowth = 0.05;
    private readonly string _data = Directory.CreateTempSubdirectory("worldcluster-soak-").FullName;

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Memory_threads_and_tensors_stay_flat_under_load_after_warm_up()
    {
        var minutes = double.TryParse(Environment.GetEnvironmentVariable(MinutesVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : CiMinutes;
        var duration = TimeSpan.FromMinutes(minutes);
        // Half the run (at most 5 minutes) lets caches, pools, the JIT and the heaps settle before anything is judged. With a
        // third, a 10-minute run compared minutes 3.3–4.6 with 8.7–10 while resident memory was still settling (+3.6 % in
        // one run, against ±2.5 % of sawtooth from the managed heap); from minute 5 on it stayed within 395–414 MiB.
        var warmUp = TimeSpan.FromTicks(Math.Min(duration.Ticks / 2, TimeSpan.FromMinutes(5).Ticks));
        var sampleEvery = TimeSpan.FromSeconds(Math.Clamp(minutes, 2, 30));

        await using var silo = await SiloProcess.StartAsync(_data, ["--Logging:LogLevel:Default", "Warning"], TimeSpan.FromSeconds(60));
        var samples = await new SoakLoad(silo.Http, sampleEvery).RunAsync(duration);

        var judged = new[]
        {
            SoakTrend.Of("resident memory (bytes)", samples, warmUp, s => s.ResidentBytes),
            // The thread pool adds and retires a worker or two at any time; a leak keeps adding. Two threads of slack.
            SoakTrend.Of("threads", samples, warmUp, s => s.Threads) with { Slack = 2 },
            // Counted by the silo each time no batch is running, so every tensor in the count outlived its step. The plain
            // gauge read at scrape time sees the batch in flight (about 600 tensors during one, 46 between), and even its
            // floor over a window depends on luck: one CI run caught a batch at all eight scrapes of its last window.
            SoakTrend.Of("live tensors between batches", samples, warmUp, s => s.TensorsBetweenBatches),
            // Native memory in live allocations, libtorch's tensors among them; like the tensor count, a scrape sees the
            // steps in flight, so the floor is judged.
            SoakTrend.Of("native heap in use (floor, bytes)", samples, warmUp, s => s.NativeInUseBytes, floor: true),
        };
        // Reported, not judged: full collections come minutes apart, so a window's lowest heap reading depends on whether
        // one happened in it (the CI run saw it swing by 10 % either way while resident memory held within 3 %).
        var heap = SoakTrend.Of("managed heap floor (bytes)", samples, warmUp, s => s.GcHeapBytes, floor: true);
        // Reported, not judged: what the C allocator keeps from the OS, free arena space included. Growth here with the
        // in-use bytes flat is fragmentation, which resident memory (judged) would show if it mattered.
        var held = SoakTrend.Of("native heap held (bytes)", samples, warmUp, s => s.NativeHeldBytes);
        // Reported, not judged: see the tensors between batches above.
        var scraped = SoakTrend.Of("live tensors at scrape (floor)", samples, warmUp, s => s.LiveTensors, floor: true);
        var ticks = samples[^1].Ticks - samples[0].Ticks;
        var report = Report(minutes, warmUp, samples, [.. judged, heap, held, scraped], ticks);
        output.WriteLine(report);
        var folder = Directory.CreateDirectory(Path.Combine(AzuriteFixture.FindRepositoryRoot(), "artifacts", "soak")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, $"soak-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md"), report);

        Assert.True(ticks > 1000, $"only {ticks} ticks in {minutes} minutes: the load did not run");
        foreach (var trend in judged)
        {
            Assert.True(trend.Within(AllowedGrowth), $"{trend.Name} grew {trend.Growth:P1} after warm-up ({trend.Early:N0} → {trend.Late:N0}, slack {trend.Slack:N0})\n{report}");
        }
    }

    private static string Report(double minutes, TimeSpan warmUp, IReadOnlyList<SoakSample> samples, IEnumerable<SoakTrend> trends, double ticks)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"soak: {minutes} min, warm-up {warmUp.TotalMinutes:0.#} min, {samples.Count} samples, {ticks:N0} ticks, {Environment.ProcessorCount} cores");
        text.AppendLine();
        text.AppendLine("| quantity | after warm-up | at the end | growth |");
        text.AppendLine("|---|---|---|---|");
        foreach (var trend in trends)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {trend.Name} | {trend.Early:N0} | {trend.Late:N0} | {trend.Growth:+0.0%;-0.0%;0.0%} |");
        }
        text.AppendLine();
        text.AppendLine("| t (s) | resident MiB | heap MiB | native in use MiB | native held MiB | threads | tensors at scrape | between batches | ticks |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var s in samples)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.At.TotalSeconds:0} | {s.ResidentBytes / 1048576:0.0} | {s.GcHeapBytes / 1048576:0.0} | {s.NativeInUseBytes / 1048576:0.0} | {s.NativeHeldBytes / 1048576:0.0} | {s.Threads:0} | {s.LiveTensors:0} | {s.TensorsBetweenBatches:0} | {s.Ticks:0} |");
        }
        return text.ToString();
    }
}
