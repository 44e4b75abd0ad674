using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Tests.Durability;

/// <summary>
/// <see cref="WorldJournal"/> against the in-memory store, without a cluster: what is appended comes back exactly, conflicting
/// writers never overwrite each other, torn tails and storage outages are survived. Every journal runs on one exclusive
/// scheduler, as in a grain activation, and on fake time, so the background writer's retries happen when the test says.
/// </summary>
public sealed class WorldJournalTests
{
    private const string World = "w-journal";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly InMemoryWorldStore _store = new();
    private readonly FakeTimeProvider _time = new();
    private readonly WorldClusterMetrics _metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
    private readonly TaskScheduler _activation = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
    private readonly WorldOptions _options = new()
    {
        SnapshotEvery = 1000,
        SnapshotHistory = 8,
        StorageRetryDelay = TimeSpan.FromSeconds(1),
        StorageRetryMaxDelay = TimeSpan.FromSeconds(4),
    };
    private int _staleCalls;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public Task A_created_world_with_appended_ticks_recovers_at_its_last_tick_with_the_same_state(bool replayable) => OnActivation(async () =>
    {
        var model = new CounterModel(replayable);
        var journal = NewJournal();
        var world = CounterModel.Start();
        await journal.CreateAsync(world, tickHz: 0, forkedFrom: null, model.Replay);
        for (var t = 0; t < 5; t++)
        {
            (world, var record) = await model.StepAsync(world, [t % 4, (t + 1) % 4]);
            await journal.AppendAsync(record);
            Assert.Equal(world.Tick, journal.DurableTick);
        }
        model.Steps = 0;

        var recovered = await NewJournal(_store.SameStorage()).RecoverAsync(_ => model.Replay, CancellationToken.None);

        Assert.NotNull(recovered);
        Assert.Equal(5, recovered.Tick);
        Assert.Equal(StateDigest.Of(world), StateDigest.Of(recovered));
        Assert.Equal(world.Frame, recovered.Frame);
        // A replayable model's ticks are recomputed; the others' states come from the journal.
        Assert.Equal(replayable ? 5 : 0, model.Steps);
    });

    [Fact]
    public Task A_replay_that_does_not_reproduce_the_recorded_digest_is_corrupt_data() => OnActivation(async () =>
    {
        var model = new CounterModel(replayable: true);
        var (journal, world) = await CreatedAsync(model);
        (world, var record) = await model.StepAsync(world, [1, 2]);
        await journal.AppendAsync(record);
        var drifted = new CounterModel(replayable: true) { Drift = 1 };

        var e = await Assert.ThrowsAsync<CorruptWorldDataException>(() => NewJournal().RecoverAsync(_ => drifted.Replay, CancellationToken.None));

        Assert.Contains("did not reproduce its recorded state digest", e.Message, StringComparison.Ordinal);
    });

    [Fact]
    public Task A_world_without_a_head_recovers_as_null_and_creating_one_that_exists_is_a_conflict() => OnActivation(async () =>
    {
        var model = new CounterModel(replayable: true);
        Assert.Null(await NewJournal().RecoverAsync(_ => model.Replay, CancellationToken.None));
        await NewJournal().CreateAsync(CounterModel.Start(), 0, null, model.Replay);

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => NewJournal().CreateAsync(CounterModel.Start(seed: 8), 0, null, model.Replay));

        Assert.Equal(WorldErrorKind.Conflict, e.Kind);
        Assert.Equal(7, (await NewJournal().RecoverAsync(_ => model.Replay, CancellationToken.None))!.Seed);
    });

    [Fact]
    public Task An_append_after_another_activation_took_over_is_refused_as_stale_and_never_lands() => OnActivation(async () =>
    {
        var model = new CounterModel(replayable: true);
        var (old, start) = await CreatedAsync(model);
        var (tick1, record1) = await model.StepAsync(start, [1, 1]);
        await old.AppendAsync(record1);
        var current = NewJournal(_store.SameStorage());
        var taken = await current.RecoverAsync(_ => model.Replay, CancellationToken.None);
        var (_, oldRecord2) = await model.StepAsync(tick1, [2, 2]);

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => old.AppendAsync(oldRecord2));

        Assert.Equal(WorldErrorKind.Conflict, e.Kind);
        Assert.True(old.IsStale);
        Assert.Equal(1, _staleCalls);
        Assert.Equal(1, old.DurableTick);
        // The history goes on from the activation that took over, without the stale tick.
        var (tick2, record2) = await model.StepAsync(taken!, [3, 0]);
        await current.AppendAsync(record2);
        var back = await NewJournal().RecoverAsync(_ => model.Replay, CancellationToken.None);
        Assert.Equal(StateDigest.Of(tick2), StateDigest.Of(back!));
    });

    [Fact]
    public Task A_snapshot_after_another_activation_replaced_the_head_is_refused_and_keeps_the_newer_head() => OnActivation(async () =>
    {
        var model = new CounterModel(replayable: true);
        var (old, start) = await CreatedAsync(model);
        var (tick1, record1) = await model.StepAsync(start, [1, 1]);
        await old.AppendAsync(record1);
        var current = NewJournal(_store.SameStorage());
        await current.RecoverAsync(_ => model.Replay, CancellationToken.None);
        await current.FlushAsync(tick1);
        var newer = (await _store.ReadHeadAsync(World))!;

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => old.FlushAsync(tick1));

        Assert.Equal(WorldErrorKind.Conflict, e.Kind);
        Assert.True(old.IsStale);
        Assert.Equal(1, _staleCalls);
        var kept = (await _store.ReadHeadAsync(World))!;
        Assert.Equal(newer.ETag, kept.ETag);
        Assert.Equal(newer.Content, kept.Content);
    });

    [Fact]
    public Task A_journal_ending_in_a_torn_append_recovers_every_tick_and_continues_in_a_new_segment() => OnActivation(async () =>
    {
        var model = new CounterModel(replayable: true);
        var (journal, world) = await CreatedAsync(model);
        for (var t = 0; t < 3; t++)
        {
            (world, var record) = await model.StepAsync(world, [t, 1]);
            await journal.AppendAsync(record);
        }
        var torn = journal.Head!.Base.Segment;
        var length = (await _store.ReadJournalAsync(World, torn))!.Length;
        // A crash in the middle of the next append: a record header promising more bytes than were written.
        await _store.AppendJournalAsync(World, torn, new byte[] { 200, 0, 0, 0, 1, 2, 3, 4, 5 }, length);

        var recovering = NewJournal();
        var recovered = await recovering.RecoverAsync(_ => model.Replay, CancellationToken.None);

        Assert.Equal(3, recovered!.Tick);
        Assert.Equal(StateDigest.Of(world), StateDigest.Of(recovered));
        Assert.Equal(3, recovering.Head!.Base.Tick);
        Assert.NotEqual(torn, recovering.Head.Base.Segment);
        Assert.Equal(recovering.Head.Base.Segment, WorldHeadCodec.Decode(World, (await _store.ReadHeadAsync(World))!.Content).Base.Segment);
        var (next, nextRecord) = await model.StepAsync(recovered, [2, 2]);
        await recovering.AppendAsync(nextRecord);
        Assert.Equal(StateDigest.Of(next), await RecoveredDigestAsync(model));
    });

    [Fact]
    public Task A_failed_append_is_unavailable_changes_nothing_and_the_same_tick_succeeds_on_retry() => OnActivation(async () =>
    {
        var model = new CounterModel(replayable: true);
        var (journal, start) = await CreatedAsync(model);
        var (tick1, record1) = await model.StepAsync(start, [1, 3]);
        _store.Fault = op => op == nameof(IWorldStore.AppendJournalAsync) ? new IOException("storage is away") : null;

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => journal.AppendAsync(record1));

        Assert.Equal(WorldErrorKind.Unavailable, e.Kind);
        Assert.Equal(0, journal.DurableTick);
        Assert.Null(await _store.SameStorage().ReadJournalAsync(World, journal.Head!.Base.Segment));
        _store.Fault = null;
        await journal.AppendAsync(record1);
        Assert.Equal(1, journal.DurableTick);
        Assert.Equal(StateDigest.Of(tick1), await RecoveredDigestAsync(model));
    });

    [Fact]
    public Task Queued_ticks_wait_out_a_storage_outage_and_become_durable_in_order() => OnActivation(async () =>
    {
        var model = new CounterModel(replayable: true);
        var journal = NewJournal();
        var world = CounterModel.Start();
        await journal.CreateAsync(world, tickHz: 10, forkedFrom: null, model.Replay);
        var failures = 0;
        _store.Fault = op => op == nameof(IWorldStore.AppendJournalAsync) ? new IOException($"storage is away ({++failures})") : null;
        for (var t = 0; t < 5; t++)
        {
            (world, var record) = await model.StepAsync(world, [t % 4, 0]);
            journal.Enqueue(record, world);
        }
        await AdvanceUntil(() => failures >= 2);

        Assert.Equal(0, journal.DurableTick);
        Assert.Equal(5, journal.UnwrittenCount);
        _store.Fault = null;
        await AdvanceUntil(() => journal.UnwrittenCount == 0);
        await journal.DrainAsync().WaitAsync(Deadline);

        Assert.Equal(5, journal.DurableTick);
        var stored = await _store.ReadJournalAsync(World, journal.Head!.Base.Segment);
        var ticks = JournalCodec.Decode(World, journal.Head.Base.Segment, stored!, model.Manifest.StoredState, new JournalTail())
            .OfType<TickRecord>().Select(r => r.Tick);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], ticks);
        Assert.Equal(StateDigest.Of(world), await RecoveredDigestAsync(model));
    });

    [Fact]
    public Task Snapshots_every_n_ticks_start_new_segments_and_drop_the_oldest_beyond_the_history() => OnActivation(async () =>
    {
        _options.SnapshotEvery = 2;
        _options.SnapshotHistory = 3;
        var model = new CounterModel(replayable: true);
        var (journal, world) = await CreatedAsync(model);
        var segments = new Dictionary<long, string> { [0] = journal.Head!.Base.Segment };
        var digests = new Dictionary<long, string>();
        for (var t = 0; t < 9; t++)
        {
            (world, var record) = await model.StepAsync(world, [t % 4, (t * 3) % 4]);
            digests[world.Tick] = record.Digest;
            await journal.AppendAsync(record);
            await journal.SnapshotIfDueAsync(world);
            segments[journal.Head!.Base.Tick] = journal.Head.Base.Segment;
        }

        Assert.Equal([4L, 6L, 8L], journal.Head!.Snapshots.Select(s => s.Tick));
        Assert.Equal([0L, 2L, 4L, 6L, 8L], segments.Keys.Order());
        Assert.Null(await _store.ReadJournalAsync(World, segments[0]));
        Assert.Null(await _store.ReadJournalAsync(World, segments[2]));
        foreach (var tick in new long[] { 4, 6, 8 })
        {
            Assert.NotNull(await _store.ReadJournalAsync(World, segments[tick]));
        }
        var recovering = NewJournal();
        var recovered = await recovering.RecoverAsync(_ => model.Replay, CancellationToken.None);
        Assert.Equal(9, recovered!.Tick);
        Assert.Equal(StateDigest.Of(world), StateDigest.Of(recovered));
        // A past tick inside the history is rebuilt from its snapshot and journal, as a fork needs it.
        var hash = await recovering.SnapshotHashAtAsync(recovered, 5);
        var atFive = WorldSnapshotFormat.Decode(World, (await _store.ReadSnapshotAsync(hash))!);
        Assert.Equal(5, atFive.Tick);
        Assert.Equal(digests[5], StateDigest.Of(atFive));
    });

    [Fact]
    public Task Bans_are_durable_survive_snapshots_and_recovery_and_never_overwrite_another_writer() => OnActivation(async () =>
    {
        var model = new CounterModel(replayable: true);
        var (journal, world) = await CreatedAsync(model);
        (world, var record) = await model.StepAsync(world, [1, 2]);
        await journal.AppendAsync(record);
        var until = _time.GetUtcNow() + TimeSpan.FromHours(1);
        var banned = new WorldBan(WorldBan.OfInvite("abc"), until);

        // A snapshot's head write and a ban's at once: they take turns, so neither finds the other's ETag and goes stale.
        await Task.WhenAll(journal.FlushAsync(world), journal.BanAsync([banned], maxBans: 4));
        var recovered = NewJournal(_store.SameStorage());
        await recovered.RecoverAsync(_ => model.Replay, CancellationToken.None);
        var other = new WorldBan(WorldBan.OfParticipant(Guid.NewGuid()), until);
        await recovered.BanAsync([other], 4);
        // The older activation's ban finds the head moved on: it writes nothing and steps aside.
        var stale = await Assert.ThrowsAsync<WorldRequestException>(() => journal.BanAsync([new(WorldBan.OfInvite("late"), until)], 4));
        var full = await Assert.ThrowsAsync<WorldRequestException>(() => recovered.BanAsync(
            [.. Enumerable.Range(0, 3).Select(i => new WorldBan(WorldBan.OfInvite($"more{i}"), until))], 4));

        Assert.Equal(1, _staleCalls);
        Assert.Equal([banned, other], recovered.Head!.Bans);
        Assert.Equal(1, recovered.Head.Base.Tick);
        Assert.Equal(WorldErrorKind.Conflict, stale.Kind);
        Assert.Equal(WorldErrorKind.Conflict, full.Kind);
        Assert.Equal([banned, other], WorldHeadCodec.Decode(World, (await _store.ReadHeadAsync(World))!.Content).Bans);
    });

    // A journal of a new on-demand world at tick 0.
    private async Task<(WorldJournal Journal, WorldAtTick Start)> CreatedAsync(CounterModel model)
    {
        var journal = NewJournal();
        var start = CounterModel.Start();
        await journal.CreateAsync(start, 0, null, model.Replay);
        return (journal, start);
    }

    // The digest of the world as a fresh activation recovers it from the store.
    private async Task<string> RecoveredDigestAsync(CounterModel model) =>
        StateDigest.Of((await NewJournal().RecoverAsync(_ => model.Replay, CancellationToken.None))!);

    private WorldJournal NewJournal(IWorldStore? store = null) =>
        new(store ?? _store, World, _options, _time, _metrics, NullLogger.Instance, () => _staleCalls++);

    // Runs a test body the way a grain activation runs its calls: one at a time, every continuation back on one scheduler.
    private Task OnActivation(Func<Task> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _activation).Unwrap();

    // Lets fake time pass, a retry wait at a time, until the condition holds; fails past a real-time deadline.
    private async Task AdvanceUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Deadline, "the condition did not come true in time");
            _time.Advance(_options.StorageRetryMaxDelay);
            await Task.Yield();
        }
    }

    /// <summary>A two-slot model in plain C#: x ← 3·x + action + 1 per slot (plus <see cref="Drift"/>), the frame the low bytes of x.</summary>
    private sealed class CounterModel(bool replayable)
    {
        public ModelManifest Manifest { get; } = new(
            "counter", "1.0.0", MaxPlayers: 2, new ObservationShape(1, 1, 2), ActionSpace.Discrete("noop", "a", "b", "c"),
            [new StateTensorSpec("x", StateDType.Int32, [2])], ContextLength: 0, BatchInvariant: replayable, BatchBuckets: []);

        public int Drift { get; init; }

        public int Steps { get; set; }

        public ReplayModel Replay => new(Manifest, Step);

        public static WorldAtTick Start(long seed = 7) =>
            new("counter", "1.0.0", seed, Players: 2, Tick: 0, State([1, 2]), [1, 2], new ObservationShape(1, 1, 2));

        // The grain's tick path in small: the next state, and the record that journals it.
        public async Task<(WorldAtTick World, TickRecord Record)> StepAsync(WorldAtTick world, int[] actions)
        {
            var next = await Step(world.State, actions);
            var stepped = world with { Tick = world.Tick + 1, State = next.State, Frame = next.Frame };
            var carry = !Manifest.BatchInvariant;
            return (stepped, new TickRecord(stepped.Tick, actions, StateDigest.Of(stepped), carry ? next.State : null, carry ? next.Frame : null));
        }

        private Task<ModelStepResult> Step(WorldState state, int[] actions)
        {
            Steps++;
            var data = state.Tensors[0].Data;
            int[] x = [.. Enumerable.Range(0, 2).Select(i => (BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i * 4)) * 3) + actions[i] + 1 + Drift)];
            return Task.FromResult(new ModelStepResult(State(x), [(byte)x[0], (byte)x[1]]));
        }

        private static WorldState State(int[] x)
        {
            var data = new byte[8];
            BinaryPrimitives.WriteInt32LittleEndian(data, x[0]);
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4), x[1]);
            return new WorldState([new StateTensor("x", StateDType.Int32, [2], data)]);
        }
    }
}
