using System.Diagnostics;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Storage;

public sealed class LocalFileWorldStoreTests : IDisposable
{
    private const string World = "w-store";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"wc-store-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_world_without_a_snapshot_reads_as_null_and_is_not_listed()
    {
        var store = NewStore();

        Assert.Null(await store.ReadSnapshotAsync(World));
        Assert.Empty(await ToListAsync(store.ListWorldsAsync()));
    }

    [Fact]
    public async Task A_written_snapshot_reads_back_with_the_returned_etag()
    {
        var store = NewStore();
        var content = WorldSnapshotFormat.Encode(SnapshotSamples.Create(World));

        var etag = await store.WriteSnapshotAsync(World, content, ifMatch: null);
        var read = await store.ReadSnapshotAsync(World);

        Assert.NotNull(read);
        Assert.Equal(content, read.Content);
        Assert.Equal(etag, read.ETag);
        Assert.True(File.Exists(Path.Combine(_root, "worlds", World, "snapshot.safetensors")));
        Assert.Equal(SnapshotSamples.Create(World).Tick, WorldSnapshotFormat.Decode(World, read.Content).Tick);
    }

    [Fact]
    public async Task Creating_a_world_that_exists_is_a_conflict_and_keeps_the_first_content()
    {
        var store = NewStore();
        var etag = await store.WriteSnapshotAsync(World, Content(1), ifMatch: null);

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.WriteSnapshotAsync(World, Content(2), ifMatch: null));

        Assert.Equal(World, e.WorldId);
        Assert.Null(e.ExpectedETag);
        Assert.Equal(etag, e.ActualETag);
        Assert.Equal(Content(1), (await store.ReadSnapshotAsync(World))!.Content);
    }

    [Fact]
    public async Task The_current_etag_replaces_the_snapshot_and_gives_a_new_etag()
    {
        var store = NewStore();
        var first = await store.WriteSnapshotAsync(World, Content(1), ifMatch: null);

        var second = await store.WriteSnapshotAsync(World, Content(2), first);

        Assert.NotEqual(first, second);
        var read = await store.ReadSnapshotAsync(World);
        Assert.Equal(Content(2), read!.Content);
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task A_stale_etag_is_a_conflict_and_the_newer_content_survives()
    {
        var store = NewStore();
        var stale = await store.WriteSnapshotAsync(World, Content(1), ifMatch: null);
        var newer = await store.WriteSnapshotAsync(World, Content(2), stale);

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.WriteSnapshotAsync(World, Content(3), stale));

        Assert.Equal(stale, e.ExpectedETag);
        Assert.Equal(newer, e.ActualETag);
        Assert.Equal(Content(2), (await store.ReadSnapshotAsync(World))!.Content);
    }

    [Fact]
    public async Task An_etag_for_a_world_that_has_no_snapshot_is_a_conflict()
    {
        var store = NewStore();

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.WriteSnapshotAsync(World, Content(1), "0123"));

        Assert.Null(e.ActualETag);
        Assert.Null(await store.ReadSnapshotAsync(World));
    }

    [Fact]
    public async Task Of_parallel_writers_with_the_same_etag_exactly_one_wins()
    {
        const int Writers = 8;
        var etag = await NewStore().WriteSnapshotAsync(World, Content(0), ifMatch: null);
        for (var round = 0; round < 3; round++)
        {
            // A store per writer: separate lock handles, as separate processes would have.
            var stores = Enumerable.Range(0, Writers).Select(_ => NewStore()).ToArray();
            using var start = new ManualResetEventSlim();
            var attempts = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                start.Wait();
                try
                {
                    return (Writer: w, ETag: await stores[w].WriteSnapshotAsync(World, Content(100 + (round * Writers) + w), etag));
                }
                catch (WorldStoreConflictException)
                {
                    return (Writer: w, ETag: (string?)null);
                }
            })).ToArray();
            start.Set();
            var results = await Task.WhenAll(attempts);

            var winner = Assert.Single(results, r => r.ETag is not null);
            var read = await NewStore().ReadSnapshotAsync(World);
            Assert.Equal(Content(100 + (round * Writers) + winner.Writer), read!.Content);
            Assert.Equal(winner.ETag, read.ETag);
            etag = read.ETag;
        }
    }

    [Fact]
    public async Task A_lock_held_by_another_process_makes_a_writer_wait()
    {
        // util-linux flock(1) takes the same kind of lock (flock(2)) in a separate process.
        // util-linux is essential on Debian; without flock(1) this test must fail, not pass unchecked.
        Assert.True(File.Exists("/usr/bin/flock"), "/usr/bin/flock (util-linux) is needed for this test");
        var store = NewStore(lockTimeout: TimeSpan.FromMilliseconds(300));
        var etag = await store.WriteSnapshotAsync(World, Content(1), ifMatch: null);
        var lockFile = Path.Combine(_root, "locks", World + ".lock");
        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-x", lockFile, "-c", "echo locked; cat > /dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());

            var e = await Assert.ThrowsAsync<TimeoutException>(() => store.WriteSnapshotAsync(World, Content(2), etag));
            Assert.Contains(World, e.Message, StringComparison.Ordinal);
            Assert.Equal(Content(1), (await store.ReadSnapshotAsync(World))!.Content);

            holder.StandardInput.Close();
            await holder.WaitForExitAsync();
            await store.WriteSnapshotAsync(World, Content(2), etag);
            Assert.Equal(Content(2), (await store.ReadSnapshotAsync(World))!.Content);
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }
        }
    }

    [Fact]
    public async Task A_temporary_file_left_by_a_crashed_writer_is_never_read_and_is_cleaned_by_the_next_write()
    {
        var store = NewStore();
        var etag = await store.WriteSnapshotAsync(World, Content(1), ifMatch: null);
        var torn = Path.Combine(_root, "worlds", World, $"snapshot.safetensors.{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(torn, Content(2)[..100]);

        Assert.Equal(Content(1), (await store.ReadSnapshotAsync(World))!.Content);
        Assert.Equal([World], await ToListAsync(store.ListWorldsAsync()));

        await store.WriteSnapshotAsync(World, Content(3), etag);
        Assert.False(File.Exists(torn));
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "worlds", World)));
    }

    [Fact]
    public async Task Reads_during_replacement_see_a_whole_old_or_new_snapshot()
    {
        var store = NewStore();
        var etag = await store.WriteSnapshotAsync(World, Uniform(0), ifMatch: null);
        using var done = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var reads = 0;
            while (!done.IsCancellationRequested || reads == 0)
            {
                var content = (await store.ReadSnapshotAsync(World))!.Content;
                Assert.Equal(Uniform(0).Length, content.Length);
                Assert.True(content.All(b => b == content[0]), "a read saw a mix of two snapshots");
                reads++;
            }
            return reads;
        });
        for (var i = 1; i <= 20; i++)
        {
            etag = await store.WriteSnapshotAsync(World, Uniform((byte)i), etag);
        }
        await done.CancelAsync();

        Assert.True(await reader > 0);
        Assert.Equal(Uniform(20), (await store.ReadSnapshotAsync(World))!.Content);
    }

    [Fact]
    public async Task Worlds_are_listed_in_order_and_deleted_only_with_the_current_etag()
    {
        var store = NewStore();
        var b = await store.WriteSnapshotAsync("w-b", Content(2), ifMatch: null);
        await store.WriteSnapshotAsync("w-a", Content(1), ifMatch: null);
        await store.WriteSnapshotAsync("w-c", Content(3), ifMatch: null);
        Directory.CreateDirectory(Path.Combine(_root, "worlds", "w-empty"));
        Directory.CreateDirectory(Path.Combine(_root, "worlds", "Not-An-Id"));

        Assert.Equal(["w-a", "w-b", "w-c"], await ToListAsync(store.ListWorldsAsync()));

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.DeleteWorldAsync("w-b", "stale"));
        Assert.Equal(b, e.ActualETag);
        Assert.NotNull(await store.ReadSnapshotAsync("w-b"));

        Assert.True(await store.DeleteWorldAsync("w-b", b));
        Assert.Null(await store.ReadSnapshotAsync("w-b"));
        Assert.False(Directory.Exists(Path.Combine(_root, "worlds", "w-b")));
        Assert.False(await store.DeleteWorldAsync("w-b", ifMatch: null));
        Assert.True(await store.DeleteWorldAsync("w-c", ifMatch: null));
        Assert.Equal(["w-a"], await ToListAsync(store.ListWorldsAsync()));

        // A deleted world can be created again.
        await store.WriteSnapshotAsync("w-b", Content(4), ifMatch: null);
        Assert.Equal(["w-a", "w-b"], await ToListAsync(store.ListWorldsAsync()));
    }

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

        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadSnapshotAsync(id));
        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteSnapshotAsync(id, Content(1), ifMatch: null));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteWorldAsync(id, ifMatch: null));
        Assert.False(Directory.Exists(_root) && Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Any());
    }

    private LocalFileWorldStore NewStore(TimeSpan? lockTimeout = null) =>
        new(new LocalFileWorldStoreOptions { RootPath = _root, LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(10) });

    private static byte[] Content(int version) => WorldSnapshotFormat.Encode(SnapshotSamples.Create(World, tick: version));

    private static byte[] Uniform(byte value) => Enumerable.Repeat(value, 256 * 1024).ToArray();

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
