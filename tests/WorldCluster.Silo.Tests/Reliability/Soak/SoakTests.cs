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
        // A third of the run (at most 5 minutes) lets caches, pools and the JIT settle before anything is judged.
        var warmUp = TimeSpan.FromTicks(Math.Min(duration.Ticks / 3, TimeSpan.FromMinutes(5).Ticks));
        var sampleEvery = TimeSpan.FromSeconds(Math.Clamp(minutes, 2, 30));

        await using var silo = await SiloProcess.StartAsync(_data, ["--Logging:LogLevel:Default", "Warning"], TimeSpan.FromSeconds(60));
        var samples = await new SoakLoad(silo.Http, sampleEvery).RunAsync(duration);

        var judged = new[]
        {
            SoakTrend.Of("resident memory (bytes)", samples, warmUp, s => s.ResidentBytes),
            // The thread pool adds and retires a worker or two at any time; a leak keeps adding. Two threads of slack.
            SoakTrend.Of("threads", samples, warmUp, s => s.Threads) with { Slack = 2 },
            // A scrape sees the tensors of the steps in flight (about 560 during one, none between), so the median of a
            // window flips with timing (one CI run: 46, then 279). The floor is what tensors outliving their step raise.
            SoakTrend.Of("live tensors (floor)", samples, warmUp, s => s.LiveTensors, floor: true),
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
        var ticks = samples[^1].Ticks - samples[0].Ticks;
        var report = Report(minutes, warmUp, samples, [.. judged, heap, held], ticks);
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
        text.AppendLine("| t (s) | resident MiB | heap MiB | native in use MiB | native held MiB | threads | live tensors | ticks |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var s in samples)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.At.TotalSeconds:0} | {s.ResidentBytes / 1048576:0.0} | {s.GcHeapBytes / 1048576:0.0} | {s.NativeInUseBytes / 1048576:0.0} | {s.NativeHeldBytes / 1048576:0.0} | {s.Threads:0} | {s.LiveTensors:0} | {s.Ticks:0} |");
        }
        return text.ToString();
    }
}
