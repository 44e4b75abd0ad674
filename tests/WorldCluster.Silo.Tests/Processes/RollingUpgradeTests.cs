using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Reliability;
using Xunit.Abstractions;

namespace WorldCluster.Silo.Tests.Processes;

/// <summary>
/// A rolling upgrade with players connected, on real processes on loopback (two model silos and a gateway, Azure Table
/// clustering and Blob storage on Azurite): real-time worlds tick at 10 Hz with a player each on the gateway while each
/// model silo in turn is replaced (a new one started, the old one stopped). Issue 21 item 6; figures in
/// docs/reliability.md ("Rolling upgrade with players connected").
/// </summary>
[Trait("Category", "Fault")]
[Collection(ReliabilityTestGroup.Name)]
public sealed class RollingUpgradeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int WorldCount = 50;
    private const int TickHz = 10;
    private const int FramesPerPhase = 20;

    // After the last stop, watch for longer than the gateway's SessionKeepAlive (10 s): a world that lost its participants
    // is found out only at the next keep-alive, which then ends the session.
    private const int FramesAtTheEnd = 150;

    // After a kill, watch longer than ResumeWithin, so a world that never resumes shows as a silence longer than that.
    private const int FramesAfterTheKill = 200;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ResumeWithin = TimeSpan.FromSeconds(15);
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly long _origin = TimeProvider.System.GetTimestamp();
    private readonly ProcessCluster _cluster = ProcessCluster.Clustered("upgrade", Deadline,
        "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:WorldCluster", "Information",
        // Orleans says here when it deactivates grains itself (e.g. for a directory partition that left with a silo).
        "--Logging:LogLevel:Orleans.Runtime.Catalog", "Information", "--Logging:LogLevel:Orleans.Runtime.GrainDirectory", "Information");
    private readonly List<SiloProcess> _silos = [];
    private readonly List<PlayerConnection> _players = [];

    /// <inheritdoc />
    public Task InitializeAsync() => _cluster.InitializeAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var player in _players)
        {
            await player.DisposeAsync();
        }
        WriteLogs();
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Replacing_each_model_silo_with_SIGTERM_keeps_every_session_and_every_tick()
    {
        var (modelA, modelB, gateway) = await StartClusterAsync();
        var worlds = await CreateWorldsAndPlayersAsync(gateway);
        await EveryPlayerSeesMoreFrames(FramesPerPhase, "before the upgrade");
        var durableBefore = _players.ToDictionary(p => p.WorldId, p => p.Frames.Max(f => f.DurableTick));
        await ReportPlacement(gateway, worlds, "before the upgrade");

        var replacements = 0;
        foreach (var old in new[] { modelA, modelB })
        {
            replacements++;
            var replacement = await StartSiloAsync($"r{replacements}", "model");
            var stopping = Now();
            await old.TerminateAsync(StopDeadline);
            Log($"model silo {old.SiloPort} stopped (SIGTERM) in {(Now() - stopping).TotalSeconds:0.0} s; replacement {replacement.SiloPort} serving");
            await EveryPlayerSeesMoreFrames(old == modelB ? FramesAtTheEnd : FramesPerPhase, $"after replacing model silo {old.SiloPort}");
            await ReportPlacement(gateway, worlds, $"after replacement {replacements}");
        }

        // Read before the frames are judged, so every frame judged was received before the durable ticks were read.
        var frames = _players.ToDictionary(p => p.WorldId, p => p.Frames);
        var durableAtEnd = new Dictionary<string, long>();
        foreach (var id in worlds)
        {
            durableAtEnd[id] = (await gateway.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}")).GetProperty("durableTick").GetInt64();
        }
        ReportGaps(frames);

        var problems = new Findings();
        problems.Add("sessions ended", EndedSessions());
        foreach (var (id, seen) in frames)
        {
            problems.Add("ticks not consecutive", FrameSequences.Breaks(id, seen));
            problems.Add("a tick with two digests", FrameSequences.DigestConflicts(id, seen));
            var reported = seen.Max(f => f.DurableTick);
            if (durableAtEnd[id] < reported)
            {
                problems.Add("durable ticks lost", [$"world {id}: durable tick {durableAtEnd[id]} at the end, but frames reported tick {reported} durable (before the upgrade: {durableBefore[id]})"]);
            }
        }
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s) in {WorldCount} worlds:\n{problems}");
    }

    [Fact]
    public async Task Killing_a_model_silo_keeps_every_session_and_resumes_from_the_last_durable_tick()
    {
        var (modelA, _, gateway) = await StartClusterAsync();
        var worlds = await CreateWorldsAndPlayersAsync(gateway);
        await EveryPlayerSeesMoreFrames(FramesPerPhase, "before the kill");
        var hosts = await ReportPlacement(gateway, worlds, "before the kill");
        Assert.Contains(modelA.SiloPort, hosts.Values);
        var replacement = await StartSiloAsync("r1", "model");

        // What each player was told before the kill: the last tick it saw and the last durable tick.
        var before = _players.ToDictionary(p => p.WorldId, p => p.Frames);
        var killedAt = Now();
        await modelA.KillAsync();
        Log($"model silo {modelA.SiloPort} killed (SIGKILL) at {killedAt.TotalSeconds:0.000} s; replacement {replacement.SiloPort}");
        var waitProblem = await TryEveryPlayerSeesMoreFrames(FramesAfterTheKill, "after the kill");
        await ReportPlacement(gateway, worlds, "after the kill");

        var frames = _players.ToDictionary(p => p.WorldId, p => p.Frames);
        var watchedUntil = Now();
        ReportGaps(frames);
        var problems = new Findings();
        problems.Add("sessions ended", EndedSessions());
        problems.Add("frames short", waitProblem is null ? [] : [waitProblem]);
        var silences = new Dictionary<string, List<TimeSpan>> { ["on the killed silo"] = [], ["on the other silo"] = [] };
        foreach (var (id, seen) in frames)
        {
            var told = before[id];
            problems.Add("ticks not consecutive before the kill", FrameSequences.Breaks(id, told));
            problems.Add("after the kill", CheckResume(id, seen, told.Count, killedAt, watchedUntil, silences[hosts[id] == modelA.SiloPort ? "on the killed silo" : "on the other silo"]));
        }
        foreach (var (where, times) in silences.Where(r => r.Value.Count > 0))
        {
            Log($"longest silence at a player after the kill, {times.Count} worlds {where}: max {times.Max().TotalSeconds:0.000} s, p50 {times.Order().ElementAt(times.Count / 2).TotalSeconds:0.000} s");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s) in {WorldCount} worlds:\n{problems}");
    }

    // After the kill a world may start again from its last durable tick (losing the ticks after it), once; otherwise its
    // ticks go on consecutively. The first tick after a restart lies between the largest durable tick the player was told
    // and the tick it would have seen next, and the ticks up to that durable tick keep the digests the player saw. Frames
    // continue within ResumeWithin: between the kill and the end of the watch, no silence at the player is longer (from
    // the kill to the first frame, between frames, from the last frame to the end of the watch).
    private static IEnumerable<string> CheckResume(string id, IReadOnlyList<ReceivedFrame> seen, int toldCount, TimeSpan killedAt, TimeSpan watchedUntil, List<TimeSpan> silences)
    {
        var after = seen.Skip(toldCount).Select(f => f.At).ToList();
        var silence = Enumerable.Range(0, after.Count + 1)
            .Select(i => (i < after.Count ? after[i] : watchedUntil) - (i == 0 ? killedAt : after[i - 1])).Max();
        silences.Add(silence);
        if (silence > ResumeWithin)
        {
            yield return $"world {id}: {silence.TotalSeconds:0.000} s without a frame after the kill (at most {ResumeWithin.TotalSeconds} s; {after.Count} frames after the kill, last tick {seen[^1].Tick})";
        }
        var restarts = 0;
        for (var i = Math.Max(toldCount, 1); i < seen.Count; i++)
        {
            var (previous, frame) = (seen[i - 1], seen[i]);
            if (frame.Tick == previous.Tick + 1)
            {
                continue;
            }
            var durableTold = seen.Take(i).Max(f => f.DurableTick);
            if (frame.Tick > previous.Tick + 1 || frame.Tick < durableTold || ++restarts > 1)
            {
                yield return $"world {id}: frame {i} at {frame.At.TotalSeconds:0.000} s has tick {frame.Tick} after tick {previous.Tick} (durable told: {durableTold}; restarts so far: {restarts})";
                continue;
            }
            foreach (var conflict in FrameSequences.DigestConflicts(id, seen, upToTick: durableTold))
            {
                yield return conflict;
            }
        }
    }

    private async Task<(SiloProcess ModelA, SiloProcess ModelB, SiloProcess Gateway)> StartClusterAsync()
    {
        var modelA = await StartSiloAsync("a", "model");
        var modelB = await StartSiloAsync("b", "model");
        var gateway = await StartSiloAsync("g", "gateway");
        return (modelA, modelB, gateway);
    }

    private async Task<SiloProcess> StartSiloAsync(string folder, string role)
    {
        var started = Now();
        var silo = await _cluster.StartSiloAsync(folder, role);
        _silos.Add(silo);
        Log($"{role} silo '{folder}' (port {silo.SiloPort}) ready in {(Now() - started).TotalSeconds:0.0} s");
        return silo;
    }

    private async Task<List<string>> CreateWorldsAndPlayersAsync(SiloProcess gateway)
    {
        var worlds = new List<string>();
        for (var i = 0; i < WorldCount; i++)
        {
            var created = await gateway.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 2100 + i, players = 1, tickHz = TickHz });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            worlds.Add(id);
            var player = await PlayerConnection.ConnectAsync(gateway.Http, id, _time, _origin);
            _players.Add(player);
            await player.SendTextAsync($$"""{"action": {{1 + (i % 4)}}}""");
        }
        Log($"{WorldCount} worlds at {TickHz} Hz created, a player in each");
        return worlds;
    }

    private async Task EveryPlayerSeesMoreFrames(int more, string phase)
    {
        if (await TryEveryPlayerSeesMoreFrames(more, phase) is { } problem)
        {
            throw new TimeoutException(problem);
        }
    }

    // Polls every player's frame count at a short, bounded interval (the sockets give no aggregate signal). A player whose
    // session ended can never get there: it is left out, and the test's assertions report it. Returns null when every
    // open session got its frames, else which did not.
    private async Task<string?> TryEveryPlayerSeesMoreFrames(int more, string phase)
    {
        var targets = _players.ToDictionary(p => p, p => p.FrameCount + more);
        var started = Now();
        while (true)
        {
            var behind = targets.Where(t => t.Key.Ended is null && t.Key.FrameCount < t.Value).ToList();
            var ended = _players.Count(p => p.Ended is not null);
            if (behind.Count == 0)
            {
                Log($"{phase}: every open session saw {more} more frames in {(Now() - started).TotalSeconds:0.0} s; {ended} session(s) ended");
                return null;
            }
            if (Now() - started > Deadline)
            {
                return $"{phase}: {behind.Count} open session(s) short of {more} more frames after {(Now() - started).TotalSeconds:0.0} s " +
                    $"(e.g. world {behind[0].Key.WorldId}: {behind[0].Key.FrameCount}/{behind[0].Value}); {ended} session(s) ended";
            }
            await Task.Delay(200);
        }
    }

    private async Task<Dictionary<string, int>> ReportPlacement(SiloProcess gateway, List<string> worlds, string phase)
    {
        var hosts = new Dictionary<string, int>();
        foreach (var id in worlds)
        {
            hosts[id] = ProcessCluster.PortOf((await gateway.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}")).GetProperty("silo").GetString()!);
        }
        Log($"{phase}: worlds per silo port: {string.Join(", ", hosts.Values.GroupBy(p => p).Select(g => $"{g.Key}: {g.Count()}"))}");
        return hosts;
    }

    private void ReportGaps(Dictionary<string, IReadOnlyList<ReceivedFrame>> frames)
    {
        Log($"frame gaps at the players, whole run: {FrameSequences.Describe(frames.Values.SelectMany(FrameSequences.Gaps))}");
        var worst = frames.Select(f => (Id: f.Key, Gap: FrameSequences.Gaps(f.Value).DefaultIfEmpty().Max())).MaxBy(w => w.Gap);
        Log($"largest gap: {worst.Gap.TotalMilliseconds:0} ms at world {worst.Id}");
    }

    private IEnumerable<string> EndedSessions() =>
        _players.Where(p => p.Ended is not null).Select(p => $"world {p.WorldId} ({p.FrameCount} frames, last tick {(p.FrameCount > 0 ? p.Frames[^1].Tick : -1)}): {p.Ended}");

    private TimeSpan Now() => _time.GetElapsedTime(_origin);

    private void Log(string line) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Now().TotalSeconds,7:0.000} s] {line}"));

    // Each silo's log goes to rolling-upgrade/<time>/ beside the test assembly (artifacts/bin/WorldCluster.Silo.Tests/…), for finding out why a session ended or a tick went missing.
    private void WriteLogs()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "rolling-upgrade", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        for (var i = 0; i < _silos.Count; i++)
        {
            File.WriteAllText(Path.Combine(folder, $"silo-{i}-{_silos[i].SiloPort}.log"), _silos[i].Output);
        }
        output.WriteLine($"silo logs: {folder}");
    }
}
