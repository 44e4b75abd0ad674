using System.Diagnostics;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Fixtures;
using static WorldCluster.Runtime.Tests.Storage.StoreTestKit;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>What only the local file store does: its layout, cross-process locks, crash leftovers (the contract is in <see cref="WorldStoreContractTests"/>).</summary>
public sealed class LocalFileWorldStoreTests : IDisposable
{
    private const string World = "w-store";

    private readonly ScratchFolder _folder = new("wc-store");

    private string Root => _folder.Path;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Objects_land_where_the_documented_layout_says_and_the_head_etag_is_its_sha256()
    {
        var (etag, hash, snapshot) = await WriteOneOfEachAsync(NewStore(), World);

        Assert.Equal(Head(1), File.ReadAllBytes(Path.Combine(Root, "worlds", World, "head.json")));
        Assert.Equal(WorldSnapshotFormat.Hash(Head(1)), etag);
        Assert.Equal(snapshot, File.ReadAllBytes(Path.Combine(Root, "snapshots", hash[..2], hash + ".safetensors")));
        Assert.Equal(Head(2), File.ReadAllBytes(Path.Combine(Root, "worlds", World, "journal", "7.wcj")));
        Assert.True(File.Exists(Path.Combine(Root, "locks", World + ".lock")));
    }

    [Fact]
    public async Task A_lock_held_by_another_process_makes_head_writes_and_appends_wait()
    {
        // util-linux flock(1) takes the same kind of lock (flock(2)) in a separate process.
        // util-linux is essential on Debian; without flock(1) this test must fail, not pass unchecked.
        Assert.True(File.Exists("/usr/bin/flock"), "/usr/bin/flock (util-linux) is needed for this test");
        var store = NewStore(lockTimeout: TimeSpan.FromMilliseconds(300));
        var etag = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        var length = await store.AppendJournalAsync(World, "0", Head(1), 0);
        var lockFile = Path.Combine(Root, "locks", World + ".lock");
        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-x", lockFile, "-c", "echo locked; cat > /dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());

            var e = await Assert.ThrowsAsync<TimeoutException>(() => store.WriteHeadAsync(World, Head(2), etag));
            Assert.Contains(World, e.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<TimeoutException>(() => store.AppendJournalAsync(World, "0", Head(2), length));
            await Assert.ThrowsAsync<TimeoutException>(() => store.DeleteWorldAsync(World, ifMatch: null));
            Assert.Equal(Head(1), (await store.ReadHeadAsync(World))!.Content);

            holder.StandardInput.Close();
            await holder.WaitForExitAsync();
            await store.WriteHeadAsync(World, Head(2), etag);
            await store.AppendJournalAsync(World, "0", Head(2), length);
            Assert.Equal(Head(2), (await store.ReadHeadAsync(World))!.Content);
            Assert.Equal((byte[])[.. Head(1), .. Head(2)], await store.ReadJournalAsync(World, "0"));
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
    public async Task A_temporary_head_left_by_a_crashed_writer_is_never_read_or_counted_and_is_cleaned_by_the_next_write()
    {
        var store = NewStore();
        var etag = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        var bytes = await store.GetStoredBytesAsync();
        var torn = Path.Combine(Root, "worlds", World, $"head.json.{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(torn, Head(2)[..5]);

        Assert.Equal(Head(1), (await store.ReadHeadAsync(World))!.Content);
        Assert.Equal([World], await store.ListWorldsAsync().ToListAsync());
        Assert.Equal(bytes, await store.GetStoredBytesAsync());

        await store.WriteHeadAsync(World, Head(3), etag);
        Assert.False(File.Exists(torn));
        Assert.Single(Directory.GetFiles(Path.Combine(Root, "worlds", World)));
    }

    [Fact]
    public async Task Reads_during_replacement_see_a_whole_old_or_new_head()
    {
        var store = NewStore();
        var etag = await store.WriteHeadAsync(World, Uniform(0), ifMatch: null);
        using var done = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var reads = 0;
            while (!done.IsCancellationRequested || reads == 0)
            {
                var content = (await store.ReadHeadAsync(World))!.Content;
                Assert.Equal(Uniform(0).Length, content.Length);
                Assert.True(content.All(b => b == content[0]), "a read saw a mix of two heads");
                reads++;
            }
            return reads;
        });
        for (var i = 1; i <= 20; i++)
        {
            etag = await store.WriteHeadAsync(World, Uniform((byte)i), etag);
        }
        await done.CancelAsync();

        Assert.True(await reader > 0);
        Assert.Equal(Uniform(20), (await store.ReadHeadAsync(World))!.Content);
    }

    [Fact]
    public async Task A_torn_tail_left_by_a_crash_counts_as_written_bytes_the_journal_codec_must_detect()
    {
        // The store knows lengths, not records: what a crash left at the end of a segment is part of its length.
        var store = NewStore();
        var length = await store.AppendJournalAsync(World, "0", Head(1), 0);
        var segment = Path.Combine(Root, "worlds", World, "journal", "0.wcj");
        await File.AppendAllTextAsync(segment, "torn");

        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.AppendJournalAsync(World, "0", Head(2), length));

        Assert.Equal(length + 4, e.ActualLength);
        Assert.Equal((byte[])[.. Head(1), .. "torn"u8.ToArray()], await store.ReadJournalAsync(World, "0"));
    }

    [Fact]
    public async Task Deleting_a_world_moves_its_folder_out_in_one_step_and_leaves_no_trash()
    {
        var store = NewStore();
        await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        await store.AppendJournalAsync(World, "0", Head(1), 0);
        // A folder a crashed delete left in the trash goes with the next delete.
        Directory.CreateDirectory(Path.Combine(Root, "trash", "w-crashed.0123", "journal"));

        Assert.True(await store.DeleteWorldAsync(World, ifMatch: null));

        Assert.False(Directory.Exists(Path.Combine(Root, "worlds", World)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Root, "trash")));
    }

    [Fact]
    public async Task Folders_that_are_not_worlds_are_not_listed()
    {
        var store = NewStore();
        await store.WriteHeadAsync("w-a", Head(1), ifMatch: null);
        Directory.CreateDirectory(Path.Combine(Root, "worlds", "w-empty"));
        Directory.CreateDirectory(Path.Combine(Root, "worlds", "Not-An-Id"));
        File.WriteAllBytes(Path.Combine(Root, "worlds", "Not-An-Id", "head.json"), Head(1));

        Assert.Equal(["w-a"], await store.ListWorldsAsync().ToListAsync());
    }

    [Fact]
    public async Task Invalid_arguments_create_nothing_on_disk()
    {
        var store = NewStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteHeadAsync("../escape", Head(1), ifMatch: null));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendJournalAsync(World, "../0", Head(1), 0));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutSnapshotAsync(new string('0', 64), Head(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendJournalAsync(World, "0", new byte[WorldStoreLimits.MaxJournalAppendBytes + 1], 0));

        Assert.False(Directory.Exists(Root));
    }

    [Fact]
    public async Task An_append_whose_group_flush_fails_is_cut_back_and_the_same_append_succeeds_on_retry()
    {
        // Group commit runs where syncfs exists (Linux, as in CI and the images); elsewhere appends fsync and never get here.
        Assert.True(OperatingSystem.IsLinux(), "group commit is Linux-only: this test needs Linux");
        var failNext = false;
        var store = new LocalFileWorldStore(new LocalFileWorldStoreOptions { RootPath = Root }, timeProvider: null, groupFlush: () =>
        {
            if (failNext)
            {
                failNext = false;
                throw new IOException("flush failed");
            }
        });
        var length = await store.AppendJournalAsync(World, "0", Head(1), 0);
        failNext = true;

        await Assert.ThrowsAsync<IOException>(() => store.AppendJournalAsync(World, "0", Head(2), length));

        // Nothing of the failed append is left, so the world's next append goes where it expects.
        Assert.Equal(Head(1), await store.ReadJournalAsync(World, "0"));
        var after = await store.AppendJournalAsync(World, "0", Head(2), length);
        Assert.Equal(length + Head(2).Length, after);
        var journal = await store.ReadJournalAsync(World, "0");
        Assert.Equal(Head(1).Concat(Head(2)).ToArray(), journal);
    }

    private LocalFileWorldStore NewStore(TimeSpan? lockTimeout = null) =>
        new(new LocalFileWorldStoreOptions { RootPath = Root, LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(10) });

    private static byte[] Uniform(byte value) => Enumerable.Repeat(value, 256 * 1024).ToArray();
}
