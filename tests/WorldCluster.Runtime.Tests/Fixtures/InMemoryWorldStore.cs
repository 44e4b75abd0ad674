using System.Runtime.CompilerServices;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>
/// An <see cref="IWorldStore"/> in memory, for tests that need a store without a cluster or a disk. It keeps the whole
/// contract (tests/…/Storage/WorldStoreContractTests.cs): conditional head writes by ETag, appends conditional on the
/// expected length (a retry of a lost append finds its own bytes), argument checks and limits, all or nothing.
/// </summary>
/// <remarks>
/// Every operation completes synchronously under one lock. <see cref="Fault"/> makes chosen operations fail the way a
/// storage outage does (after the arguments are checked, before anything changes). <see cref="SameStorage"/> gives another
/// instance over the same data, as a second process would see it.
/// </remarks>
public sealed class InMemoryWorldStore : IWorldStore
{
    private readonly Data _data;

    /// <summary>Creates an empty store.</summary>
    public InMemoryWorldStore()
        : this(new Data())
    {
    }

    private InMemoryWorldStore(Data data) => _data = data;

    /// <summary>
    /// Called with the operation's name (<c>nameof</c> the method, e.g. <c>AppendJournalAsync</c>) before each operation;
    /// an exception it returns is thrown instead and nothing changes. Null: no faults.
    /// </summary>
    public Func<string, Exception?>? Fault { get; set; }

    /// <summary>Another store instance over the same data (its own <see cref="Fault"/>).</summary>
    public InMemoryWorldStore SameStorage() => new(_data);

    /// <inheritdoc/>
    public Task<StoredHead?> ReadHeadAsync(string worldId, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        ThrowIfFaulted();
        lock (_data)
        {
            return Task.FromResult(_data.Heads.TryGetValue(worldId, out var head) ? new StoredHead([.. head.Content], head.ETag) : null);
        }
    }

    /// <inheritdoc/>
    public Task<string> WriteHeadAsync(string worldId, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        ThrowIfFaulted();
        lock (_data)
        {
            var current = _data.Heads.GetValueOrDefault(worldId);
            if (current?.ETag != ifMatch)
            {
                // As the real stores: an update whose answer was lost finds its own bytes on retry; creating stays a conflict.
                if (ifMatch is not null && current is not null && current.Content.AsSpan().SequenceEqual(content.Span))
                {
                    return Task.FromResult(current.ETag);
                }
                throw new WorldStoreConflictException(worldId, ifMatch, current?.ETag);
            }
            var etag = $"\"{++_data.Version}\"";
            _data.Heads[worldId] = new StoredHead(content.ToArray(), etag);
            return Task.FromResult(etag);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListWorldsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfFaulted();
        List<string> ids;
        lock (_data)
        {
            ids = [.. _data.Heads.Keys.Order(StringComparer.Ordinal)];
        }
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
        await Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> DeleteWorldAsync(string worldId, string? ifMatch, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        ThrowIfFaulted();
        lock (_data)
        {
            var current = _data.Heads.GetValueOrDefault(worldId);
            if (current is not null && ifMatch is not null && ifMatch != current.ETag)
            {
                throw new WorldStoreConflictException(worldId, ifMatch, current.ETag);
            }
            _data.Heads.Remove(worldId);
            foreach (var key in _data.Journals.Keys.Where(k => k.WorldId == worldId).ToList())
            {
                _data.Journals.Remove(key);
            }
            return Task.FromResult(current is not null);
        }
    }

    /// <inheritdoc/>
    public Task PutSnapshotAsync(string hash, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        WorldStoreKeys.ThrowIfInvalidHash(hash);
        WorldStoreKeys.ThrowIfNotContentOf(hash, content.Span);
        ThrowIfFaulted();
        lock (_data)
        {
            _data.Snapshots.TryAdd(hash, content.ToArray());
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<byte[]?> ReadSnapshotAsync(string hash, CancellationToken cancellationToken = default)
    {
        WorldStoreKeys.ThrowIfInvalidHash(hash);
        ThrowIfFaulted();
        lock (_data)
        {
            return Task.FromResult(_data.Snapshots.TryGetValue(hash, out var content) ? (byte[]?)[.. content] : null);
        }
    }

    /// <inheritdoc/>
    public Task<long> AppendJournalAsync(string worldId, string segment, ReadOnlyMemory<byte> records, long expectedLength, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        WorldStoreKeys.ThrowIfInvalidAppend(records, expectedLength);
        ThrowIfFaulted();
        lock (_data)
        {
            if (!_data.Journals.TryGetValue((worldId, segment), out var journal))
            {
                if (expectedLength != 0)
                {
                    throw new WorldStoreConflictException(worldId, segment, expectedLength, actualLength: null);
                }
                journal = [];
                _data.Journals[(worldId, segment)] = journal;
            }
            if (journal.Count != expectedLength)
            {
                // As the real stores: a retry of an append whose answer was lost (maybe with more records behind it) writes the rest.
                var landed = journal.Count - expectedLength;
                if (landed <= 0 || landed > records.Length || !journal.Skip((int)expectedLength).SequenceEqual(records[..(int)landed].ToArray()))
                {
                    throw new WorldStoreConflictException(worldId, segment, expectedLength, journal.Count);
                }
                records = records[(int)landed..];
            }
            journal.AddRange(records.Span);
            return Task.FromResult((long)journal.Count);
        }
    }

    /// <inheritdoc/>
    public Task<byte[]?> ReadJournalAsync(string worldId, string segment, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        ThrowIfFaulted();
        lock (_data)
        {
            return Task.FromResult(_data.Journals.TryGetValue((worldId, segment), out var journal) ? (byte[]?)[.. journal] : null);
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteJournalAsync(string worldId, string segment, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        ThrowIfFaulted();
        lock (_data)
        {
            return Task.FromResult(_data.Journals.Remove((worldId, segment)));
        }
    }

    /// <inheritdoc/>
    public Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfFaulted();
        lock (_data)
        {
            return Task.FromResult(
                _data.Heads.Values.Sum(h => (long)h.Content.Length)
                + _data.Snapshots.Values.Sum(s => (long)s.Length)
                + _data.Journals.Values.Sum(j => (long)j.Count));
        }
    }

    private void ThrowIfFaulted([CallerMemberName] string operation = "")
    {
        if (Fault?.Invoke(operation) is { } fault)
        {
            throw fault;
        }
    }

    private sealed class Data
    {
        public Dictionary<string, StoredHead> Heads { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, byte[]> Snapshots { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string WorldId, string Segment), List<byte>> Journals { get; } = [];

        public long Version { get; set; }
    }
}
