using System.Diagnostics;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Durability;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>What only the Azure Blob store does: blob layout, lazy container, retries that find their own write, a stopped service.</summary>
public sealed class AzureBlobWorldStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string World = "w-blob";

    private readonly string _containerName = $"wc-{Guid.NewGuid():N}";

    private BlobContainerClient Container => new(azurite.ConnectionString, _containerName);

    public async Task InitializeAsync()
    {
        // A test before this one may have stopped Azurite and failed before starting it again.
        if (!azurite.IsRunning)
        {
            await azurite.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (azurite.IsRunning)
        {
            await Container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public void The_fixture_runs_the_pinned_azurite()
    {
        Assert.Equal(["Azurite-Blob/3.37.0"], azurite.ServerVersions);
    }

    [Fact]
    public async Task The_container_is_created_by_the_first_write_and_reads_before_it_find_nothing()
    {
        var store = NewStore();

        Assert.Null(await store.ReadHeadAsync(World));
        Assert.Null(await store.ReadJournalAsync(World, "0"));
        Assert.Empty(await ToListAsync(store.ListWorldsAsync()));
        Assert.Equal(0, await store.GetStoredBytesAsync());
        Assert.False(await store.DeleteWorldAsync(World, ifMatch: null));
        Assert.False(await store.DeleteJournalAsync(World, "0"));
        Assert.False((await Container.ExistsAsync()).Value);

        await store.WriteHeadAsync(World, Head(1), ifMatch: null);

        Assert.True((await Container.ExistsAsync()).Value);
    }

    [Fact]
    public async Task Objects_are_the_documented_blobs_and_the_etag_is_the_blobs()
    {
        var store = NewStore();
        var snapshot = WorldSnapshotFormat.Encode(SnapshotSamples.Create());
        var hash = WorldSnapshotFormat.Hash(snapshot);

        var etag = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        await store.PutSnapshotAsync(hash, snapshot);
        await store.AppendJournalAsync(World, "7", Head(2), 0);

        var blobs = new Dictionary<string, BlobItem>();
        await foreach (var blob in Container.GetBlobsAsync())
        {
            blobs[blob.Name] = blob;
        }
        Assert.Equal(
            [$"snapshots/{hash}.safetensors", $"worlds/{World}/head.json", $"worlds/{World}/journal/7.wcj"],
            blobs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(BlobType.Block, blobs[$"worlds/{World}/head.json"].Properties.BlobType);
        Assert.Equal(etag.Trim('"'), blobs[$"worlds/{World}/head.json"].Properties.ETag?.ToString().Trim('"'));
        Assert.Equal(BlobType.Append, blobs[$"worlds/{World}/journal/7.wcj"].Properties.BlobType);
    }

    [Fact]
    public async Task A_head_write_whose_response_was_lost_is_retried_and_reported_as_the_success_it_was()
    {
        var faults = new FaultPolicy();
        var store = NewStore(faults);

        faults.LoseNextResponse(IsHeadWrite);
        var created = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        faults.LoseNextResponse(IsHeadWrite);
        var replaced = await store.WriteHeadAsync(World, Head(2), created);

        Assert.Equal(2, faults.Injected);
        var read = await store.ReadHeadAsync(World);
        Assert.Equal(Head(2), read!.Content);
        Assert.Equal(replaced, read.ETag);
    }

    [Fact]
    public async Task A_retried_head_write_that_finds_another_writers_head_is_still_a_conflict()
    {
        var faults = new FaultPolicy();
        var store = NewStore(faults);
        var stale = await store.WriteHeadAsync(World, Head(1), ifMatch: null);
        var newer = await NewStore().WriteHeadAsync(World, Head(2), stale);

        faults.FailNextRequest(IsHeadWrite);
        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.WriteHeadAsync(World, Head(3), stale));

        Assert.Equal(1, faults.Injected);
        Assert.Equal(newer, e.ActualETag);
        Assert.Equal(Head(2), (await store.ReadHeadAsync(World))!.Content);
    }

    [Fact]
    public async Task An_append_whose_response_was_lost_is_retried_and_reported_as_the_success_it_was()
    {
        var faults = new FaultPolicy();
        var store = NewStore(faults);
        var length = await store.AppendJournalAsync(World, "0", Head(1), 0);

        faults.LoseNextResponse(IsAppend);
        var after = await store.AppendJournalAsync(World, "0", Head(2), length);

        Assert.Equal(1, faults.Injected);
        Assert.Equal(length + Head(2).Length, after);
        Assert.Equal((byte[])[.. Head(1), .. Head(2)], await store.ReadJournalAsync(World, "0"));
    }

    [Fact]
    public async Task A_retried_append_that_finds_another_appenders_bytes_is_still_a_conflict()
    {
        var faults = new FaultPolicy();
        var store = NewStore(faults);
        var length = await store.AppendJournalAsync(World, "0", Head(1), 0);
        await NewStore().AppendJournalAsync(World, "0", Head(2), length);

        faults.FailNextRequest(IsAppend);
        var e = await Assert.ThrowsAsync<WorldStoreConflictException>(() => store.AppendJournalAsync(World, "0", Head(3), length));

        Assert.Equal(1, faults.Injected);
        Assert.Equal(length + Head(2).Length, e.ActualLength);
        Assert.Equal((byte[])[.. Head(1), .. Head(2)], await store.ReadJournalAsync(World, "0"));
    }

    [Fact]
    public async Task A_stopped_azurite_fails_calls_quickly_and_a_restarted_one_serves_again_with_a_new_container()
    {
        var store = new AzureBlobWorldStore(new AzureBlobWorldStoreOptions
        {
            ConnectionString = azurite.ConnectionString,
            ContainerName = _containerName,
            NetworkTimeout = TimeSpan.FromSeconds(2),
            MaxRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(20),
        });
        await store.WriteHeadAsync(World, Head(1), ifMatch: null);

        await azurite.StopAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            var e = await Record.ExceptionAsync(() => store.ReadHeadAsync(World));
            // The SDK's answer once every try failed: an AggregateException of the tries' RequestFailedExceptions.
            var tries = Assert.IsType<AggregateException>(e);
            Assert.All(tries.InnerExceptions, inner => Assert.IsType<RequestFailedException>(inner));
            Assert.Equal(3, tries.InnerExceptions.Count);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a stopped service took {clock.Elapsed} to report");
        }
        finally
        {
            await azurite.StartAsync();
        }

        // In-memory data went with the process, the container too: the next write makes it again.
        Assert.Null(await store.ReadHeadAsync(World));
        await store.WriteHeadAsync(World, Head(2), ifMatch: null);
        Assert.Equal(Head(2), (await store.ReadHeadAsync(World))!.Content);
    }

    [Fact]
    public void Options_without_a_connection_string_or_a_service_uri_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new AzureBlobWorldStore(new AzureBlobWorldStoreOptions()));
        Assert.Throws<ArgumentException>(() => new AzureBlobWorldStore(new AzureBlobWorldStoreOptions { ConnectionString = azurite.ConnectionString, ContainerName = "" }));
    }

    private AzureBlobWorldStore NewStore(FaultPolicy? faults = null) =>
        new(new AzureBlobWorldStoreOptions
        {
            ConnectionString = azurite.ConnectionString,
            ContainerName = _containerName,
            RetryDelay = TimeSpan.FromMilliseconds(10),
        }, faults);

    private static bool IsHeadWrite(HttpMessage message) =>
        message.Request.Method == RequestMethod.Put && message.Request.Uri.Path.EndsWith("/head.json", StringComparison.Ordinal);

    private static bool IsAppend(HttpMessage message) =>
        message.Request.Method == RequestMethod.Put && message.Request.Uri.Query.Contains("comp=appendblock", StringComparison.Ordinal);

    private static byte[] Head(int version) => Encoding.UTF8.GetBytes($"{{\"version\":{version}}}");

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }

    /// <summary>Breaks the next matching request once: before it is sent (lost request) or after it was applied (lost response).</summary>
    private sealed class FaultPolicy : HttpPipelinePolicy
    {
        private Func<HttpMessage, bool>? _match;
        private bool _afterSending;
        private int _injected;

        public int Injected => Volatile.Read(ref _injected);

        public void LoseNextResponse(Func<HttpMessage, bool> match) => Arm(match, afterSending: true);

        public void FailNextRequest(Func<HttpMessage, bool> match) => Arm(match, afterSending: false);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var fault = Take(message);
            if (fault && !_afterSending)
            {
                throw new IOException("Injected: the request never reached the service.");
            }
            await ProcessNextAsync(message, pipeline);
            if (fault)
            {
                throw new IOException("Injected: the service applied the request but its response was lost.");
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var fault = Take(message);
            if (fault && !_afterSending)
            {
                throw new IOException("Injected: the request never reached the service.");
            }
            ProcessNext(message, pipeline);
            if (fault)
            {
                throw new IOException("Injected: the service applied the request but its response was lost.");
            }
        }

        private void Arm(Func<HttpMessage, bool> match, bool afterSending)
        {
            _afterSending = afterSending;
            Volatile.Write(ref _match, match);
        }

        private bool Take(HttpMessage message)
        {
            var match = Volatile.Read(ref _match);
            if (match is null || !match(message) || Interlocked.CompareExchange(ref _match, null, match) != match)
            {
                return false;
            }
            Interlocked.Increment(ref _injected);
            return true;
        }
    }
}
