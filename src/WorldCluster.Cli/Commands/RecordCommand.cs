using System.CommandLine;
using Spectre.Console;
using WorldCluster.Client;

namespace WorldCluster.Cli.Commands;

/// <summary><c>record</c>: an MP4 (and optionally the events as JSON lines) of a tick range, rebuilt by the cluster from the world's journal.</summary>
internal static class RecordCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var (url, token) = (CliOptions.Url(), CliOptions.Token());
        var id = new Argument<string>("id") { Description = "The world id (w-…)" };
        var from = new Option<long>("--from") { Description = "The first tick (the video's first frame)", Required = true };
        var to = new Option<long>("--to") { Description = "The last tick, inclusive", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The MP4 file to write", Required = true };
        var events = new Option<string?>("--events") { Description = "Also write the ticks' digests and actions as JSON lines to this file" };
        var lossless = new Option<bool>("--lossless") { Description = "RGB H.264 at -qp 0: decodes to the world's frames bit for bit (larger files)" };
        var scale = new Option<int?>("--scale") { Description = "Enlarge each pixel to a block this size (1-8; default 4, or 1 with --lossless)" };
        var command = new Command("record", "Record ticks --from..--to of a world as MP4, replayed exactly from its journal") { id, from, to, output, events, lossless, scale, url, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            var client = new WorldClusterClient(http, parse.GetValue(token));
            var (world, first, last) = (parse.GetValue(id)!, parse.GetValue(from), parse.GetValue(to));
            var total = Math.Max(1, last - first + 1);
            var video = new Download(Path.GetFullPath(parse.GetValue(output)!));
            var lines = parse.GetValue(events) is { } path ? new Download(Path.GetFullPath(path)) : null;
            await Progress(console, total, lines is not null, async (frames, ticks) =>
            {
                // Both at once: the events come from a replay of their own, and the two finish at about the same time.
                var written = video.RunAsync(stream => client.DownloadRecordingAsync(world, first, last, stream, parse.GetValue(lossless), parse.GetValue(scale), frames, ct));
                var listed = lines?.RunAsync(stream => client.DownloadRecordingEventsAsync(world, first, last, stream, ticks, ct)) ?? Task.FromResult(0L);
                await Task.WhenAll(written, listed);
            });
            console.Profile.Out.Writer.WriteLine($"wrote ticks {first}..{last} ({total} frames) to {video.Path}{(lines is null ? "" : $" and {lines.Path}")}");
            return 0;
        });
        return command;
    }

    // A bar per file when the console redraws; otherwise a line per tenth of the frames (logs, CI).
    private static async Task Progress(IAnsiConsole console, long total, bool withEvents, Func<IProgress<long>, IProgress<long>?, Task> run)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var frames = progress.AddTask("frames", maxValue: total);
                    var ticks = withEvents ? progress.AddTask("events", maxValue: total) : null;
                    await run(new Bar(frames), ticks is null ? null : new Bar(ticks));
                });
            return;
        }
        var printed = 0L;
        await run(new Bar(done =>
        {
            var tenth = 10 * done / total;
            if (Interlocked.Exchange(ref printed, tenth) != tenth)
            {
                console.WriteLine($"{done}/{total} frames");
            }
        }), null);
    }

    private sealed class Bar(Action<long> report) : IProgress<long>
    {
        public Bar(ProgressTask task)
            : this(done => task.Value = done)
        {
        }

        public void Report(long value) => report(value);
    }

    // Written beside the target and moved over it only when complete: a refusal or a cut leaves any earlier file as it was.
    private sealed class Download(string path)
    {
        public string Path => path;

        public async Task<long> RunAsync(Func<Stream, Task<long>> write)
        {
            var partial = path + ".partial";
            try
            {
                long count;
                await using (var stream = File.Create(partial))
                {
                    count = await write(stream);
                }
                File.Move(partial, path, overwrite: true);
                return count;
            }
            finally
            {
                File.Delete(partial);
            }
        }
    }
}
