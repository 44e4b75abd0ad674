namespace WorldCluster.Runtime.Storage;

/// <summary>Stored data of a world cannot be trusted: truncated, altered, of an unknown format or version, or another world's.</summary>
public sealed class CorruptWorldDataException : Exception
{
    /// <summary>Creates the exception for <paramref name="worldId"/> with a human-readable <paramref name="reason"/>.</summary>
    public CorruptWorldDataException(string worldId, string reason, Exception? innerException = null)
        : base($"The stored data of world '{worldId}' is corrupt or unreadable: {reason}", innerException)
    {
        WorldId = worldId;
        Reason = reason;
    }

    /// <summary>The world whose data was read.</summary>
    public string WorldId { get; }

    /// <summary>What is wrong with the data.</summary>
    public string Reason { get; }
}
