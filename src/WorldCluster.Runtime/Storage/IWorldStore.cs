using WorldCluster.Contracts;

namespace WorldCluster.Runtime.Storage;

/// <summary>
/// Durable storage of worlds, in three kinds of objects:
/// a small mutable <b>head</b> per world (conditional writes by ETag, so two activations never both win),
/// immutable content-addressed <b>snapshots</b> shared by every world that reaches the same state (forks copy nothing),
/// and append-only <b>journal segments</b> per world (appends conditional on the length the writer last saw).
/// </summary>
/// <remarks>
/// Invalid world ids (see <see cref="WorldId.IsValid"/>), snapshot hashes that are not 64 lowercase hex digits and segment
/// names that are not 1-32 characters of [0-9a-z] are rejected with <see cref="ArgumentException"/>, and so are empty journal
/// appends and appends over <see cref="WorldStoreLimits.MaxJournalAppendBytes"/>. ETags are opaque.
/// Transient failures surface as exceptions of the underlying client (IOException, RequestFailedException…); callers retry.
/// </remarks>
public interface IWorldStore
{
    /// <summary>Reads a world's head and its ETag; null when the world does not exist.</summary>
    Task<StoredHead?> ReadHeadAsync(string worldId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a world's head when its current ETag is <paramref name="ifMatch"/> (null: only when there is none yet) and
    /// returns the new ETag; otherwise throws <see cref="WorldStoreConflictException"/> and changes nothing.
    /// </summary>
    Task<string> WriteHeadAsync(string worldId, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default);

    /// <summary>The ids of the worlds that have a head, in ordinal order.</summary>
    IAsyncEnumerable<string> ListWorldsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a world's head and journal segments when the head's ETag is <paramref name="ifMatch"/> (null: whatever it is);
    /// false when there was no head. Snapshots stay (other worlds may share them). Throws <see cref="WorldStoreConflictException"/>
    /// on an ETag mismatch.
    /// </summary>
    Task<bool> DeleteWorldAsync(string worldId, string? ifMatch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores an immutable snapshot under <paramref name="hash"/>, the lowercase hex SHA-256 of <paramref name="content"/>
    /// (checked: a mismatch throws <see cref="ArgumentException"/>). Storing an existing hash is a no-op.
    /// </summary>
    Task PutSnapshotAsync(string hash, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Reads a snapshot by hash; null when absent. The caller verifies the content (it may be damaged).</summary>
    Task<byte[]?> ReadSnapshotAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="records"/> to a world's journal segment when the segment's current length is
    /// <paramref name="expectedLength"/> (0: the segment must not exist yet, or be empty), and returns the new length;
    /// otherwise throws <see cref="WorldStoreConflictException"/> and changes nothing. An append is all or nothing.
    /// </summary>
    Task<long> AppendJournalAsync(string worldId, string segment, ReadOnlyMemory<byte> records, long expectedLength, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole journal segment; null when it does not exist.</summary>
    Task<byte[]?> ReadJournalAsync(string worldId, string segment, CancellationToken cancellationToken = default);

    /// <summary>Deletes a journal segment; false when it did not exist.</summary>
    Task<bool> DeleteJournalAsync(string worldId, string segment, CancellationToken cancellationToken = default);

    /// <summary>Total bytes held by the store (heads, snapshots and journals), for capacity and copy-on-write checks.</summary>
    Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default);
}
