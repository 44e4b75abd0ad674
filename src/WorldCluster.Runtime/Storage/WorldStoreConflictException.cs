namespace WorldCluster.Runtime.Storage;

/// <summary>A conditional write or delete found another version of the world than the caller expected.</summary>
public sealed class WorldStoreConflictException : Exception
{
    /// <summary>Creates the exception; a null ETag stands for "no snapshot".</summary>
    public WorldStoreConflictException(string worldId, string? expectedETag, string? actualETag)
        : base($"World '{worldId}' was changed by someone else: expected {Describe(expectedETag)}, found {Describe(actualETag)}.")
    {
        WorldId = worldId;
        ExpectedETag = expectedETag;
        ActualETag = actualETag;
    }

    /// <summary>The world written.</summary>
    public string WorldId { get; }

    /// <summary>The ETag the caller expected; null when it expected the world to have no snapshot yet.</summary>
    public string? ExpectedETag { get; }

    /// <summary>The ETag found in the store; null when the world has no snapshot.</summary>
    public string? ActualETag { get; }

    private static string Describe(string? etag) => etag is null ? "no snapshot" : $"ETag '{etag}'";
}
