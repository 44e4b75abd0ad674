namespace WorldCluster.Runtime.Storage;

/// <summary>A conditional write found another version of a world's head or journal segment than the caller expected.</summary>
public sealed class WorldStoreConflictException : Exception
{
    /// <summary>Creates the exception for a head; a null ETag stands for "no head".</summary>
    public WorldStoreConflictException(string worldId, string? expectedETag, string? actualETag)
        : base($"World '{worldId}' was changed by someone else: expected {DescribeHead(expectedETag)}, found {DescribeHead(actualETag)}.")
    {
        WorldId = worldId;
        ExpectedETag = expectedETag;
        ActualETag = actualETag;
    }

    /// <summary>Creates the exception for a journal segment; a null actual length stands for "no such segment".</summary>
    public WorldStoreConflictException(string worldId, string segment, long expectedLength, long? actualLength)
        : base($"Journal segment '{segment}' of world '{worldId}' was changed by someone else: expected {expectedLength} bytes, found {DescribeSegment(actualLength)}.")
    {
        WorldId = worldId;
        Segment = segment;
        ExpectedLength = expectedLength;
        ActualLength = actualLength;
    }

    /// <summary>The world written.</summary>
    public string WorldId { get; }

    /// <summary>The ETag the caller expected; null when it expected the world to have no head yet, or for a journal conflict.</summary>
    public string? ExpectedETag { get; }

    /// <summary>The head's ETag found in the store (null: no head, or a journal conflict); it may have moved on since.</summary>
    public string? ActualETag { get; }

    /// <summary>The journal segment appended to; null for a head conflict.</summary>
    public string? Segment { get; }

    /// <summary>The segment length the caller expected; null for a head conflict.</summary>
    public long? ExpectedLength { get; }

    /// <summary>The segment length found in the store (null: no such segment, or a head conflict); it may have moved on since.</summary>
    public long? ActualLength { get; }

    private static string DescribeHead(string? etag) => etag is null ? "no head" : $"ETag '{etag}'";

    private static string DescribeSegment(long? length) => length is null ? "no segment" : $"{length} bytes";
}
