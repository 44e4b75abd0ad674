namespace WorldCluster.Runtime.Storage;

/// <summary>Limits every <see cref="IWorldStore"/> enforces alike, so code that works on local files works on Azure Blob Storage.</summary>
public static class WorldStoreLimits
{
    /// <summary>The most bytes one journal append may carry (4 MiB, an Azure append block); larger appends throw <see cref="ArgumentException"/>.</summary>
    public const int MaxJournalAppendBytes = 4 * 1024 * 1024;

    /// <summary>The most appends one journal segment takes on Azure Blob Storage (blocks per append blob); start a new segment well before.</summary>
    public const int MaxJournalAppendsPerSegment = 50_000;
}
