using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using WorldCluster.Contracts;

namespace WorldCluster.Runtime.Storage;

/// <summary>The world store on Azure Blob Storage (or Azurite): heads, snapshots and journals as blobs in one container (docs/storage.md).</summary>
/// <remarks>
/// Blobs: <c>worlds/&lt;id&gt;/head.json</c> (block blob; writes carry If-Match or If-None-Match: *, and the ETag is the
/// blob's), <c>worlds/&lt;id&gt;/journal/&lt;segment&gt;.wcj</c> (append blobs; appends carry If-Append-Position-Equal)
/// and <c>snapshots/&lt;hash&gt;.safetensors</c> (block blobs, written once with If-None-Match: *).
/// The client retries failed requests. A retried write can find its own earlier attempt already applied (the response was
/// lost, not the request): a head write or append that conflicts after a retry, and finds exactly its own bytes in place,
/// reports success instead of a conflict.
/// </remarks>
public sealed class AzureBlobWorldStore : IWorldStore
{
    private const string WorldsPrefix = "worlds/";
    private const string HeadSuffix = "/head.json";
    private const string AttemptsProperty = "WorldCluster.Storage.Attempts";

    private readonly BlobContainerClient _container;

    /// <summary>Creates a store over the container that <paramref name="options"/> names; nothing is sent until the first call.</summary>
    public AzureBlobWorldStore(AzureBlobWorldStoreOptions options)
        : this(options, extraPolicy: null)
    {
    }

    /// <summary>Creates the store with one more pipeline policy, run on every attempt (tests inject faults with it).</summary>
    internal AzureBlobWorldStore(AzureBlobWorldStoreOptions options, HttpPipelinePolicy? extraPolicy)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ContainerName, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.NetworkTimeout, TimeSpan.Zero, nameof(options));
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        clientOptions.AddPolicy(new CountAttemptsPolicy(), HttpPipelinePosition.PerRetry);
        if (extraPolicy is not null)
        {
            clientOptions.AddPolicy(extraPolicy, HttpPipelinePosition.PerRetry);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            _container = new BlobContainerClient(options.ConnectionString, options.ContainerName, clientOptions);
        }
        else if (options.ServiceUri is not null && options.Credential is not null)
        {
            _container = new BlobServiceClient(options.ServiceUri, options.Credential, clientOptions).GetBlobContainerClient(options.ContainerName);
        }
        else
        {
            throw new ArgumentException("Set a connection string, or a service URI and a credential.", nameof(options));
        }
    }

    /// <summary>The container's name.</summary>
    public string ContainerName => _container.Name;

    /// <inheritdoc/>
    public async Task<StoredHead?> ReadHeadAsync(string worldId, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        try
        {
            var result = (await _container.GetBlobClient(HeadBlob(worldId)).DownloadContentAsync(cancellationToken)).Value;
            return new StoredHead(result.Content.ToArray(), result.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<string> WriteHeadAsync(string worldId, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        var blob = _container.GetBlobClient(HeadBlob(worldId));
        var options = new BlobUploadOptions
        {
            Conditions = ifMatch is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(ifMatch) },
        };
        var attempts = new AttemptCounter();
        try
        {
            var response = await WithContainerAsync(attempts, () => blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken), cancellationToken);
            return response.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (IsConditionFailure(e) || (ifMatch is not null && e.ErrorCode == BlobErrorCode.BlobNotFound.ToString()))
        {
            // A write whose answer was lost (a timeout, storage going away mid-request) may have landed, and the retry,
            // the SDK's or, for an update, the caller's, then finds it: the same bytes are the same world. Creating stays
            // strict (a second create of an id is a conflict) unless this very call retried.
            var current = await ReadHeadAsync(worldId, cancellationToken);
            if ((attempts.Retried || ifMatch is not null) && current is not null && current.Content.AsSpan().SequenceEqual(content.Span))
            {
                return current.ETag;
            }
            throw new WorldStoreConflictException(worldId, ifMatch, current?.ETag);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListWorldsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Blob names sort by bytes, and '-' comes before '/': "worlds/a-b/" lists before "worlds/a/". Sort the ids themselves.
        var ids = new List<string>();
        await foreach (var blob in ListBlobsAsync(WorldsPrefix, cancellationToken))
        {
            if (blob.Name.EndsWith(HeadSuffix, StringComparison.Ordinal))
            {
                var id = blob.Name[WorldsPrefix.Length..^HeadSuffix.Length];
                if (WorldId.IsValid(id))
                {
                    ids.Add(id);
                }
            }
        }
        ids.Sort(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            yield return id;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The head goes first, conditionally, so the world is gone the moment the ETag check passes; its journal segments
    /// follow. A failure in between leaves segments without a head; a later delete of the same id removes them (and,
    /// finding no head, returns false).
    /// </remarks>
    public async Task<bool> DeleteWorldAsync(string worldId, string? ifMatch, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        var head = _container.GetBlobClient(HeadBlob(worldId));
        var conditions = ifMatch is null ? null : new BlobRequestConditions { IfMatch = new ETag(ifMatch) };
        bool deleted;
        try
        {
            deleted = (await head.DeleteIfExistsAsync(DeleteSnapshotsOption.None, conditions, cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (IsConditionFailure(e))
        {
            var current = await ReadHeadAsync(worldId, cancellationToken);
            if (current is not null)
            {
                throw new WorldStoreConflictException(worldId, ifMatch, current.ETag);
            }
            deleted = false;
        }
        await foreach (var segment in ListBlobsAsync(JournalPrefix(worldId), cancellationToken))
        {
            await _container.GetBlobClient(segment.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        return deleted;
    }

    /// <inheritdoc/>
    public async Task PutSnapshotAsync(string hash, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        WorldStoreKeys.ThrowIfInvalidHash(hash);
        WorldStoreKeys.ThrowIfNotContentOf(hash, content.Span);
        var blob = _container.GetBlobClient(SnapshotBlob(hash));
        // Forks put the same snapshot again and again: ask first rather than send megabytes to hear "exists".
        if (await ExistsAsync(blob, cancellationToken))
        {
            return;
        }
        var options = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
        try
        {
            await WithContainerAsync(new AttemptCounter(), () => blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken), cancellationToken);
        }
        catch (RequestFailedException e) when (IsConditionFailure(e))
        {
            // Someone stored the same hash first: the same bytes are there.
        }
    }

    /// <inheritdoc/>
    public Task<byte[]?> ReadSnapshotAsync(string hash, CancellationToken cancellationToken = default)
    {
        WorldStoreKeys.ThrowIfInvalidHash(hash);
        return ReadIfExistsAsync(_container.GetBlobClient(SnapshotBlob(hash)), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An append is one append block, which the service applies whole or not at all, hence the limit of
    /// <see cref="WorldStoreLimits.MaxJournalAppendBytes"/>; a segment takes at most
    /// <see cref="WorldStoreLimits.MaxJournalAppendsPerSegment"/> appends, after which the service refuses more.
    /// </remarks>
    public async Task<long> AppendJournalAsync(
        string worldId, string segment, ReadOnlyMemory<byte> records, long expectedLength, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        WorldStoreKeys.ThrowIfInvalidAppend(records, expectedLength);
        var blob = _container.GetAppendBlobClient(SegmentBlob(worldId, segment));
        if (expectedLength == 0)
        {
            var create = new AppendBlobCreateOptions { Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All } };
            try
            {
                await WithContainerAsync(new AttemptCounter(), () => blob.CreateAsync(create, cancellationToken), cancellationToken);
            }
            catch (RequestFailedException e) when (IsConditionFailure(e))
            {
                // The segment exists; the append below succeeds only if it is still empty.
            }
        }

        var options = new AppendBlobAppendBlockOptions { Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = expectedLength } };
        var attempts = new AttemptCounter();
        try
        {
            await CountAttemptsAsync(attempts, async () =>
            {
                using var stream = AsStream(records);
                return await blob.AppendBlockAsync(stream, options, cancellationToken);
            });
            return expectedLength + records.Length;
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.AppendPositionConditionNotMet.ToString() || e.Status == 404)
        {
            // As for the head: an earlier append whose answer was lost (retried by the SDK, or by the world's writer once
            // storage is back, with more ticks queued behind it by then) may be there already. If what follows our
            // position is the start of these very records, it is ours: write the rest.
            var actual = await LengthAsync(blob, cancellationToken);
            if (actual > expectedLength && actual <= expectedLength + records.Length
                && await EndsWithAsync(blob, expectedLength, records[..(int)(actual.Value - expectedLength)], cancellationToken))
            {
                return actual == expectedLength + records.Length
                    ? actual.Value
                    : await AppendJournalAsync(worldId, segment, records[(int)(actual.Value - expectedLength)..], actual.Value, cancellationToken);
            }
            throw new WorldStoreConflictException(worldId, segment, expectedLength, actual);
        }
    }

    /// <inheritdoc/>
    public Task<byte[]?> ReadJournalAsync(string worldId, string segment, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        return ReadIfExistsAsync(_container.GetBlobClient(SegmentBlob(worldId, segment)), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteJournalAsync(string worldId, string segment, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        try
        {
            return (await _container.GetBlobClient(SegmentBlob(worldId, segment)).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The sizes of all blobs in the container, one listing pass (5,000 blobs a page).</remarks>
    public async Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default)
    {
        long total = 0;
        await foreach (var blob in ListBlobsAsync(prefix: null, cancellationToken))
        {
            total += blob.Properties.ContentLength ?? 0;
        }
        return total;
    }

    private static string HeadBlob(string worldId) => WorldsPrefix + worldId + HeadSuffix;

    private static string JournalPrefix(string worldId) => $"{WorldsPrefix}{worldId}/journal/";

    private static string SegmentBlob(string worldId, string segment) => $"{JournalPrefix(worldId)}{segment}.wcj";

    private static string SnapshotBlob(string hash) => $"snapshots/{hash}.safetensors";

    // 409 BlobAlreadyExists answers If-None-Match: * on a put; 412 (ConditionNotMet) answers a failed If-Match, and
    // If-None-Match on some paths. Other 409s (a lease, a wrong blob type) are not the caller's race and stay errors.
    private static bool IsConditionFailure(RequestFailedException e) =>
        e.Status == 412 || e.ErrorCode == BlobErrorCode.BlobAlreadyExists.ToString();

    // The container is made on the first write that needs it, not in the constructor: a store can be built before the
    // service is up, and a container deleted underneath (or lost by a restarted Azurite) comes back.
    private async Task<T> WithContainerAsync<T>(AttemptCounter attempts, Func<Task<T>> write, CancellationToken cancellationToken)
    {
        try
        {
            return await CountAttemptsAsync(attempts, write);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound.ToString())
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            return await CountAttemptsAsync(attempts, write);
        }
    }

    private async IAsyncEnumerable<BlobItem> ListBlobsAsync(string? prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                Page<BlobItem> page;
                try
                {
                    if (!await pages.MoveNextAsync())
                    {
                        yield break;
                    }
                    page = pages.Current;
                }
                catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound.ToString())
                {
                    yield break;
                }
                foreach (var blob in page.Values)
                {
                    yield return blob;
                }
            }
        }
        finally
        {
            await pages.DisposeAsync();
        }
    }

    private static async Task<bool> ExistsAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.ExistsAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    private static async Task<byte[]?> ReadIfExistsAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private static async Task<long?> LengthAsync(BlobBaseClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private static async Task<bool> EndsWithAsync(BlobBaseClient blob, long offset, ReadOnlyMemory<byte> expected, CancellationToken cancellationToken)
    {
        var options = new BlobDownloadOptions { Range = new HttpRange(offset, expected.Length) };
        var tail = (await blob.DownloadContentAsync(options, cancellationToken)).Value.Content;
        return tail.ToMemory().Span.SequenceEqual(expected.Span);
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    // Every request sent inside this scope, retries included, counts one attempt on the counter.
    private static async Task<T> CountAttemptsAsync<T>(AttemptCounter attempts, Func<Task<T>> call)
    {
        attempts.Reset();
        using var scope = HttpPipeline.CreateHttpMessagePropertiesScope(new Dictionary<string, object?> { [AttemptsProperty] = attempts });
        return await call();
    }

    /// <summary>How many times the requests of one call were sent; more than one means the service may have applied an earlier try.</summary>
    private sealed class AttemptCounter
    {
        private int _attempts;

        public bool Retried => Volatile.Read(ref _attempts) > 1;

        public void Increment() => Interlocked.Increment(ref _attempts);

        public void Reset() => Volatile.Write(ref _attempts, 0);
    }

    /// <summary>Counts each attempt of a request on the <see cref="AttemptCounter"/> its call put in the message's properties.</summary>
    private sealed class CountAttemptsPolicy : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.TryGetProperty(AttemptsProperty, out var value) && value is AttemptCounter attempts)
            {
                attempts.Increment();
            }
        }
    }
}
