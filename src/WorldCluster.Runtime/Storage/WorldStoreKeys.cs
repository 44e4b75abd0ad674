using WorldCluster.Runtime.Durability;

namespace WorldCluster.Runtime.Storage;

/// <summary>Checks of the names every store puts into paths and blob names, so no argument can point outside the store.</summary>
internal static class WorldStoreKeys
{
    /// <summary>The longest journal segment name.</summary>
    public const int MaxSegmentLength = 32;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="hash"/> is 64 lowercase hex digits.</summary>
    public static void ThrowIfInvalidHash(string? hash, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(hash))] string? paramName = null)
    {
        if (hash is null || hash.Length != 64 || !hash.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
        {
            throw new ArgumentException($"'{hash}' is not a snapshot hash (64 lowercase hex digits).", paramName);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="segment"/> is 1-32 characters of [0-9a-z].</summary>
    public static void ThrowIfInvalidSegment(string? segment, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(segment))] string? paramName = null)
    {
        if (string.IsNullOrEmpty(segment) || segment.Length > MaxSegmentLength || !segment.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'z')))
        {
            throw new ArgumentException($"'{segment}' is not a journal segment name (1-{MaxSegmentLength} characters of 0-9 and a-z).", paramName);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="content"/> hashes to <paramref name="hash"/>.</summary>
    public static void ThrowIfNotContentOf(string hash, ReadOnlySpan<byte> content)
    {
        var actual = WorldSnapshotFormat.Hash(content);
        if (actual != hash)
        {
            throw new ArgumentException($"The snapshot's content hashes to {actual}, not to the hash it was stored under ({hash}).", nameof(hash));
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for an empty append, one over the limit or a negative expected length.</summary>
    public static void ThrowIfInvalidAppend(ReadOnlyMemory<byte> records, long expectedLength)
    {
        if (records.IsEmpty)
        {
            throw new ArgumentException("An append needs at least one byte.", nameof(records));
        }
        if (records.Length > WorldStoreLimits.MaxJournalAppendBytes)
        {
            throw new ArgumentException(
                $"An append is limited to {WorldStoreLimits.MaxJournalAppendBytes} bytes (an Azure append block); this one has {records.Length}.", nameof(records));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(expectedLength);
    }
}
