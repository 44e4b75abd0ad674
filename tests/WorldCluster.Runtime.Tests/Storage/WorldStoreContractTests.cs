using System.Text;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Durability;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>What every <see cref="IWorldStore"/> promises, run against each store by a subclass.</summary>
public abstract class WorldStoreContractTests
{
    protected const string World = "w-contract";

    /// <summary>A new store instance over the test's storage: separate instances act like separate processes.</summary>
    protected abstract IWorldStore NewStore();

    // ---- Heads ----

    [Fact]
    public async Task A_world_without_a_head_reads_as_null_and_is_not_listed()
    {
        var store = NewStore();

        Assert.Null(await store.ReadHeadAsync(World));
        Assert.Empty(await store.ListWorldsAsync().ToListAsync());
    }

    [Fact]
    public async Task A_written_head_reads_back_with_the_returned_etag()
    {
        var store = NewStore();

        var etag = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        var read = await NewStore().ReadHeadAsync(World);

        Assert.NotNull(read);
        Assert.Equal(Head(1), read.Content);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task Creating_a_head_that_exists_is_a_conflict_even_with_the_same_content_and_keeps_the_first()
    {
        var store = NewStore();
        var etag = await store.WriteHeadAsync(World, Head(1), ifMatch: null);

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.WriteHeadAsync(World, Head(2), ifMatch: null));
        await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.WriteHeadAsync(World, Head(1), ifMatch: null));

        Assert.Equal(World, e.WorldId);
        Assert.Null(e.ExpectedETag);
        Assert.Equal(etag, e.ActualETag);
        Assert.Null(e.Segment);
        var read = await store.ReadHeadAsync(World);
        Assert.Equal(Head(1), read!.Content);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task The_current_etag_replaces_the_head_and_gives_a_new_etag()
    {
        var store = NewStore();
        var first = await store.WriteHeadAsync(World, Head(1), ifMatch: null);

        var second = await store.WriteHeadAsync(World, Head(2), first);

        Assert.NotEqual(first, second);
        var read = await store.ReadHeadAsync(World);
        Assert.Equal(Head(2), read!.Content);
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task An_update_whose_answer_was_lost_is_found_by_its_retry_and_other_content_still_conflicts()
    {
        // The writer sent Head(2) against `first`, it landed, the answer was lost (storage went away); it retries the same.
        var store = NewStore();
        var first = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        var landed = await store.WriteHeadAsync(World, Head(2), first);

        Assert.Equal(landed, await store.WriteHeadAsync(World, Head(2), first));
        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.WriteHeadAsync(World, Head(3), first));
        Assert.Equal(landed, e.ActualETag);
        Assert.Equal(Head(2), (await store.ReadHeadAsync(World))!.Content);
    }

    [Fact]
    public async Task An_append_whose_answer_was_lost_is_found_by_its_retry_and_is_not_written_twice()
    {
        var store = NewStore();
        var length = await store.AppendJournalAsync(World, "0", Records(1), 0);

        Assert.Equal(length, await store.AppendJournalAsync(World, "0", Records(1), 0));
        Assert.Equal(Records(1), await store.ReadJournalAsync(World, "0"));
        await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.AppendJournalAsync(World, "0", Records(2), 0));
    }

    [Fact]
    public async Task A_retry_with_more_records_queued_behind_a_lost_append_writes_only_the_rest()
    {
        // The world's writer sent Records(1); storage went away before answering; by the time it is back, Records(2) is
        // queued too and the writer sends both from the same position.
        var store = NewStore();
        await store.AppendJournalAsync(World, "0", Records(1), 0);
        byte[] both = [.. Records(1), .. Records(2)];

        Assert.Equal(both.Length, await store.AppendJournalAsync(World, "0", both, 0));
        Assert.Equal(both, await store.ReadJournalAsync(World, "0"));
        // Bytes that are not the start of the append are someone else's.
        byte[] other = [.. Records(2), .. Records(1)];
        await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.AppendJournalAsync(World, "0", (byte[])[.. other, .. Records(3)], 0));
    }

    [Fact]
    public async Task A_stale_etag_is_a_conflict_and_the_newer_head_survives()
    {
        var store = NewStore();
        var stale = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        var newer = await store.WriteHeadAsync(World, Head(2), stale);

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => NewStore().WriteHeadAsync(World, Head(3), stale));

        Assert.Equal(stale, e.ExpectedETag);
        Assert.Equal(newer, e.ActualETag);
        var read = await store.ReadHeadAsync(World);
        Assert.Equal(Head(2), read!.Content);
        Assert.Equal(newer, read.ETag);
    }

    [Fact]
    public async Task An_etag_for_a_world_without_a_head_is_a_conflict_and_creates_nothing()
    {
        var store = NewStore();
        var etag = await store.WriteHeadAsync("w-other", Head(1), ifMatch: null);

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.WriteHeadAsync(World, Head(1), etag));

        Assert.Null(e.ActualETag);
        Assert.Null(await store.ReadHeadAsync(World));
    }

    [Fact]
    public async Task Of_parallel_writers_with_the_same_etag_exactly_one_wins()
    {
        const int Writers = 8;
        var etag = await NewStore().WriteHeadAsync(World, Head(0), ifMatch: null);
        for (var round = 0; round < 3; round++)
        {
            var stores = Enumerable.Range(0, Writers).Select(_ => NewStore()).ToArray();
            var results = await RaceAsync(Writers, async w =>
            {
                try
                {
                    return (Writer: w, ETag: await stores[w].WriteHeadAsync(World, Head(100 + (round * Writers) + w), etag));
                }
                catch (WorldStoreConflictException)
                {
                    return (Writer: w, ETag: (string?)null);
                }
            });

            var winner = Assert.Single(results, r => r.ETag is not null);
            var read = await NewStore().ReadHeadAsync(World);
            Assert.Equal(Head(100 + (round * Writers) + winner.Writer), read!.Content);
            Assert.Equal(winner.ETag, read.ETag);
            etag = read.ETag;
        }
    }

    [Fact]
    public async Task Worlds_with_a_head_are_listed_in_ordinal_order()
    {
        var store = NewStore();
        // As blob names "worlds/w-a-b/…" sorts before "worlds/w-a/…" ('-' < '/'); as ids "w-a" comes first.
        foreach (var id in new[] { "w-b", "w-a0", "w-a-b", "w-a" })
        {
            await store.WriteHeadAsync(id, Head(1), ifMatch: null);
        }
        await store.AppendJournalAsync("w-journal-only", "0", Records(1), 0);
        await store.PutSnapshotAsync(Snapshot(1).Hash, Snapshot(1).Content);

        Assert.Equal(["w-a", "w-a-b", "w-a0", "w-b"], await NewStore().ListWorldsAsync().ToListAsync());
    }

    [Fact]
    public async Task Deleting_a_world_removes_its_head_and_journals_and_keeps_snapshots()
    {
        var store = NewStore();
        var etag = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        await store.AppendJournalAsync(World, "0", Records(1), 0);
        await store.AppendJournalAsync(World, "1", Records(2), 0);
        await store.WriteHeadAsync("w-neighbour", Head(2), ifMatch: null);
        await store.AppendJournalAsync("w-neighbour", "0", Records(3), 0);
        var snapshot = Snapshot(1);
        await store.PutSnapshotAsync(snapshot.Hash, snapshot.Content);

        Assert.True(await store.DeleteWorldAsync(World, etag));

        Assert.Null(await store.ReadHeadAsync(World));
        Assert.Null(await store.ReadJournalAsync(World, "0"));
        Assert.Null(await store.ReadJournalAsync(World, "1"));
        Assert.Equal(["w-neighbour"], await store.ListWorldsAsync().ToListAsync());
        Assert.Equal(Records(3), await store.ReadJournalAsync("w-neighbour", "0"));
        Assert.Equal(snapshot.Content, await store.ReadSnapshotAsync(snapshot.Hash));
        Assert.False(await store.DeleteWorldAsync(World, ifMatch: null));
    }

    [Fact]
    public async Task Deleting_with_a_stale_etag_is_a_conflict_and_changes_nothing()
    {
        var store = NewStore();
        var stale = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        var current = await store.WriteHeadAsync(World, Head(2), stale);
        await store.AppendJournalAsync(World, "0", Records(1), 0);

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.DeleteWorldAsync(World, stale));

        Assert.Equal(current, e.ActualETag);
        Assert.Equal(Head(2), (await store.ReadHeadAsync(World))!.Content);
        Assert.Equal(Records(1), await store.ReadJournalAsync(World, "0"));
        Assert.True(await store.DeleteWorldAsync(World, ifMatch: null));
    }

    [Fact]
    public async Task Deleting_a_world_without_a_head_is_false_and_clears_leftover_journals()
    {
        var store = NewStore();
        await store.AppendJournalAsync(World, "0", Records(1), 0);

        Assert.False(await store.DeleteWorldAsync(World, ifMatch: null));

        Assert.Null(await store.ReadJournalAsync(World, "0"));
        Assert.False(await store.DeleteWorldAsync("w-never", ifMatch: "some-etag"));
    }

    [Fact]
    public async Task A_deleted_world_can_be_created_again_without_its_old_journal()
    {
        var store = NewStore();
        await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        await store.AppendJournalAsync(World, "0", Records(1), 0);
        await store.DeleteWorldAsync(World, ifMatch: null);

        var etag = await store.WriteHeadAsync(World, Head(2), ifMatch: null);

        Assert.Equal(etag, (await store.ReadHeadAsync(World))!.ETag);
        Assert.Equal(Records(2).Length, await store.AppendJournalAsync(World, "0", Records(2), 0));
        Assert.Equal(Records(2), await store.ReadJournalAsync(World, "0"));
    }

    // ---- Snapshots ----

    [Fact]
    public async Task A_snapshot_round_trips_by_its_hash_and_decodes()
    {
        var snapshot = Snapshot(7);

        await NewStore().PutSnapshotAsync(snapshot.Hash, snapshot.Content);
        var read = await NewStore().ReadSnapshotAsync(snapshot.Hash);

        Assert.Equal(snapshot.Content, read);
        Assert.Equal(7, WorldSnapshotFormat.Decode(World, read!).Tick);
    }

    [Fact]
    public async Task Putting_a_snapshot_again_is_a_no_op_and_parallel_puts_all_succeed()
    {
        var store = NewStore();
        var snapshot = Snapshot(1);

        await RaceAsync(6, async _ =>
        {
            await NewStore().PutSnapshotAsync(snapshot.Hash, snapshot.Content);
            return true;
        });
        await store.PutSnapshotAsync(snapshot.Hash, snapshot.Content);

        Assert.Equal(snapshot.Content, await store.ReadSnapshotAsync(snapshot.Hash));
    }

    [Fact]
    public async Task A_snapshot_whose_content_does_not_match_its_hash_is_refused()
    {
        var store = NewStore();
        var (hash, content) = Snapshot(1);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.PutSnapshotAsync(hash, Snapshot(2).Content));

        Assert.Contains(hash, e.Message, StringComparison.Ordinal);
        Assert.Null(await store.ReadSnapshotAsync(hash));
        await store.PutSnapshotAsync(hash, content);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutSnapshotAsync(hash, content.AsMemory(..^1)));
        Assert.Equal(content, await store.ReadSnapshotAsync(hash));
    }

    [Fact]
    public async Task A_missing_snapshot_reads_as_null()
    {
        Assert.Null(await NewStore().ReadSnapshotAsync(Snapshot(1).Hash));
    }

    // ---- Journals ----

    [Fact]
    public async Task An_append_at_zero_creates_the_segment_and_returns_its_length()
    {
        var store = NewStore();

        var length = await store.AppendJournalAsync(World, "0", Records(1), expectedLength: 0);

        Assert.Equal(Records(1).Length, length);
        Assert.Equal(Records(1), await NewStore().ReadJournalAsync(World, "0"));
    }

    [Fact]
    public async Task Appends_at_the_current_length_add_to_the_end()
    {
        var store = NewStore();
        var length = await store.AppendJournalAsync(World, "a1", Records(1), 0);

        length = await NewStore().AppendJournalAsync(World, "a1", Records(2), length);
        length = await store.AppendJournalAsync(World, "a1", Records(3), length);

        byte[] expected = [.. Records(1), .. Records(2), .. Records(3)];
        Assert.Equal(expected.Length, length);
        Assert.Equal(expected, await store.ReadJournalAsync(World, "a1"));
    }

    [Fact]
    public async Task An_append_at_a_stale_length_is_a_conflict_and_changes_nothing()
    {
        var store = NewStore();
        var stale = await store.AppendJournalAsync(World, "0", Records(1), 0);
        var current = await store.AppendJournalAsync(World, "0", Records(2), stale);
        byte[] expected = [.. Records(1), .. Records(2)];

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => NewStore().AppendJournalAsync(World, "0", Records(3), stale));
        await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.AppendJournalAsync(World, "0", Records(3), current + 1));

        Assert.Equal(World, e.WorldId);
        Assert.Equal("0", e.Segment);
        Assert.Equal(stale, e.ExpectedLength);
        Assert.Equal(current, e.ActualLength);
        Assert.Contains("'0'", e.Message, StringComparison.Ordinal);
        Assert.Equal(expected, await store.ReadJournalAsync(World, "0"));
    }

    [Fact]
    public async Task An_append_at_zero_to_an_empty_segment_succeeds_and_to_a_written_one_conflicts()
    {
        var store = NewStore();
        await store.AppendJournalAsync(World, "0", Records(1), 0);

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.AppendJournalAsync(World, "0", Records(2), 0));

        Assert.Equal(0, e.ExpectedLength);
        Assert.Equal(Records(1).Length, e.ActualLength);
        Assert.Equal(Records(1), await store.ReadJournalAsync(World, "0"));
    }

    [Fact]
    public async Task An_append_past_zero_to_a_missing_segment_is_a_conflict_and_creates_nothing()
    {
        var store = NewStore();

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.AppendJournalAsync(World, "0", Records(1), 10));

        Assert.Null(e.ActualLength);
        Assert.Null(await store.ReadJournalAsync(World, "0"));
    }

    [Fact]
    public async Task Of_parallel_appenders_at_one_length_exactly_one_wins()
    {
        const int Appenders = 8;
        var length = 0L;
        var expected = new List<byte>();
        for (var round = 0; round < 3; round++)
        {
            var stores = Enumerable.Range(0, Appenders).Select(_ => NewStore()).ToArray();
            var expectedLength = length;
            var results = await RaceAsync(Appenders, async a =>
            {
                try
                {
                    return (Appender: a, Length: (long?)await stores[a].AppendJournalAsync(World, "0", Records((round * Appenders) + a), expectedLength));
                }
                catch (WorldStoreConflictException)
                {
                    return (Appender: a, Length: (long?)null);
                }
            });

            var winner = Assert.Single(results, r => r.Length is not null);
            expected.AddRange(Records((round * Appenders) + winner.Appender));
            Assert.Equal(expected.Count, winner.Length);
            Assert.Equal(expected, await NewStore().ReadJournalAsync(World, "0"));
            length = winner.Length!.Value;
        }
    }

    [Fact]
    public async Task Segments_are_separate_per_name_and_per_world_and_deleted_one_by_one()
    {
        var store = NewStore();
        await store.AppendJournalAsync(World, "0", Records(1), 0);
        await store.AppendJournalAsync(World, "1", Records(2), 0);
        await store.AppendJournalAsync("w-other", "0", Records(3), 0);

        Assert.Null(await store.ReadJournalAsync(World, "2"));
        Assert.True(await store.DeleteJournalAsync(World, "0"));
        Assert.False(await store.DeleteJournalAsync(World, "0"));
        Assert.False(await store.DeleteJournalAsync(World, "2"));

        Assert.Null(await store.ReadJournalAsync(World, "0"));
        Assert.Equal(Records(2), await store.ReadJournalAsync(World, "1"));
        Assert.Equal(Records(3), await store.ReadJournalAsync("w-other", "0"));
        // A deleted segment starts again from zero.
        Assert.Equal(Records(4).Length, await store.AppendJournalAsync(World, "0", Records(4), 0));
    }

    [Fact]
    public async Task An_append_may_carry_up_to_the_limit_and_no_more_and_not_nothing()
    {
        var store = NewStore();
        var largest = new byte[WorldStoreLimits.MaxJournalAppendBytes];
        new Random(7).NextBytes(largest);

        Assert.Equal(largest.Length, await store.AppendJournalAsync(World, "0", largest, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendJournalAsync(World, "0", new byte[WorldStoreLimits.MaxJournalAppendBytes + 1], largest.Length));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendJournalAsync(World, "0", Array.Empty<byte>(), largest.Length));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendJournalAsync(World, "0", Records(1), -1));

        Assert.Equal(largest, await store.ReadJournalAsync(World, "0"));
    }

    // ---- Accounting ----

    [Fact]
    public async Task Stored_bytes_count_heads_snapshots_and_journals_and_a_re_put_adds_nothing()
    {
        var store = NewStore();
        var before = await store.GetStoredBytesAsync();
        var snapshot = Snapshot(1);

        await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        await store.PutSnapshotAsync(snapshot.Hash, snapshot.Content);
        await store.AppendJournalAsync(World, "0", Records(1), 0);
        var after = await store.GetStoredBytesAsync();
        await store.PutSnapshotAsync(snapshot.Hash, snapshot.Content);
        var afterRePut = await NewStore().GetStoredBytesAsync();

        Assert.Equal(before + Head(1).Length + snapshot.Content.Length + Records(1).Length, after);
        Assert.Equal(after, afterRePut);
        await store.DeleteWorldAsync(World, ifMatch: null);
        Assert.Equal(before + snapshot.Content.Length, await store.GetStoredBytesAsync());
    }

    // ---- Arguments ----

    [Theory]
    [InlineData("")]
    [InlineData("-leading-dash")]
    [InlineData("UPPER")]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("a.b")]
    [InlineData("a b")]
    [InlineData("w-ä")]
    [InlineData("x0123456789012345678901234567890123456789012345678901234567890123")]
    public async Task Invalid_world_ids_are_rejected_by_every_operation(string id)
    {
        var store = NewStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadHeadAsync(id));
        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteHeadAsync(id, Head(1), ifMatch: null));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteWorldAsync(id, ifMatch: null));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendJournalAsync(id, "0", Records(1), 0));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadJournalAsync(id, "0"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteJournalAsync(id, "0"));
        Assert.Equal(0, await store.GetStoredBytesAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555")]
    [InlineData("../0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public async Task Invalid_snapshot_hashes_are_rejected(string hash)
    {
        var store = NewStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutSnapshotAsync(hash, Array.Empty<byte>()));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadSnapshotAsync(hash));
        Assert.Equal(0, await store.GetStoredBytesAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("-1")]
    [InlineData("a-b")]
    [InlineData("../0")]
    [InlineData("0.wcj")]
    [InlineData("012345678901234567890123456789012")]
    public async Task Invalid_segment_names_are_rejected(string segment)
    {
        var store = NewStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendJournalAsync(World, segment, Records(1), 0));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadJournalAsync(World, segment));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteJournalAsync(World, segment));
        Assert.Equal(0, await store.GetStoredBytesAsync());
    }

    [Fact]
    public async Task The_longest_segment_name_and_world_id_are_accepted()
    {
        var store = NewStore();
        var id = "w" + new string('0', WorldId.MaxLength - 1);
        var segment = new string('z', 32);

        await store.WriteHeadAsync(id, Head(1), ifMatch: null);
        await store.AppendJournalAsync(id, segment, Records(1), 0);

        Assert.Equal(Records(1), await store.ReadJournalAsync(id, segment));
        Assert.Equal([id], await store.ListWorldsAsync().ToListAsync());
    }

    // ---- Helpers ----

    protected static byte[] Head(int version) => Encoding.UTF8.GetBytes($"{{\"version\":{version},\"snapshot\":\"{new string('a', 64)}\"}}");

    protected static byte[] Records(int seed) => [.. Enumerable.Range(0, 20 + (seed % 7)).Select(i => (byte)((seed * 31) + i))];

    protected static (string Hash, byte[] Content) Snapshot(long tick)
    {
        var content = WorldSnapshotFormat.Encode(SnapshotSamples.Create(tick));
        return (WorldSnapshotFormat.Hash(content), content);
    }

    // Starts every attempt at once (as far as threads allow), so they truly race.
    protected static async Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> attempt)
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await attempt(i);
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks);
    }
}
