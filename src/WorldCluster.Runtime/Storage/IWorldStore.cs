namespace WorldCluster.Runtime.Storage;

/// <summary>Durable storage of world snapshots, with conditional (ETag) writes so two activations of a world never both write.</summary>
/// <remarks>
/// Invalid world ids (see <see cref="WorldId.IsValid"/>) are rejected with <see cref="ArgumentException"/>. ETags are opaque:
/// compare them, never parse them.
/// </remarks>
public interface IWorldStore
{
    /// <summary>Reads a world's snapshot and its ETag; null when the world has no snapshot.</summary>
    Task<StoredSnapshot?> ReadSnapshotAsync(string worldId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a world's snapshot when its current ETag is <paramref name="ifMatch"/> (null: only when it has none yet) and returns
    /// the new ETag; otherwise throws <see cref="WorldStoreConflictException"/> and changes nothing.
    /// </summary>
    Task<string> WriteSnapshotAsync(string worldId, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default);

    /// <summary>The ids of the worlds that have a snapshot, in ordinal order.</summary>
    IAsyncEnumerable<string> ListWorldsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a world's snapshot when its ETag is <paramref name="ifMatch"/> (null: whatever it is); false when there was none.
    /// Throws <see cref="WorldStoreConflictException"/> on an ETag mismatch.
    /// </summary>
    Task<bool> DeleteWorldAsync(string worldId, string? ifMatch, CancellationToken cancellationToken = default);
}
