using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Cli.Tests;

/// <summary><c>worldcluster record</c> against a real host: the MP4 and the events file it writes, its progress, and a refusal that leaves files alone.</summary>
public sealed class RecordCommandTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private string Url => host.Http.BaseAddress!.ToString();

    private string Folder => Directory.CreateDirectory(Path.Combine(host.DataRoot, "cli-recordings")).FullName;

    [Fact]
    public async Task Record_writes_an_mp4_of_the_range_and_its_events_with_progress()
    {
        var id = await SteppedWorld(ticks: 5);
        var video = Path.Combine(Folder, "five.mp4");
        var events = Path.Combine(Folder, "five.jsonl");

        var (exit, output, error) = await CliRun.InvokeAsync("record", id, "--from", "0", "--to", "5", "-o", video, "--events", events, "--lossless",
            "--url", Url, "--token", host.AdminToken);

        Assert.True(exit == 0, error);
        Assert.Contains("6/6 frames", output, StringComparison.Ordinal);
        Assert.Contains($"wrote ticks 0..5 (6 frames) to {video} and {events}", output, StringComparison.Ordinal);
        var probe = await FfmpegVideo.ProbeAsync(video);
        Assert.Equal(6, probe.Frames);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], File.ReadAllLines(events).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("tick").GetRawText()));
        Assert.Empty(Directory.GetFiles(Folder, "*.partial"));
    }

    [Fact]
    public async Task A_refused_range_prints_the_problem_exits_1_and_leaves_the_file_as_it_was()
    {
        var id = await SteppedWorld(ticks: 2);
        var video = Path.Combine(Folder, "kept.mp4");
        await File.WriteAllTextAsync(video, "an earlier file");

        var (exit, _, error) = await CliRun.InvokeAsync("record", id, "--from", "0", "--to", "9", "-o", video, "--url", Url, "--token", host.AdminToken);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: 400", error, StringComparison.Ordinal);
        Assert.Contains("can be recorded over ticks 0..2", error, StringComparison.Ordinal);
        Assert.Equal("an earlier file", await File.ReadAllTextAsync(video));
        Assert.Empty(Directory.GetFiles(Folder, "*.partial"));
    }

    private async Task<string> SteppedWorld(int ticks)
    {
        var (_, created, _) = await CliRun.InvokeAsync("create", "reference-world", "--players", "2", "--url", Url, "--token", host.AdminToken, "-q");
        var id = created.Trim();
        var (exit, _, error) = await CliRun.InvokeAsync("step", id, "4", "2", "--count", ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--url", Url, "--token", host.AdminToken);
        Assert.True(exit == 0, error);
        return id;
    }
}
