namespace WorldCluster.Contracts;

/// <summary>Limits of the batch endpoints (<c>POST /api/steps</c>, <c>POST /api/observations</c>).</summary>
public static class BatchLimits
{
    /// <summary>Most worlds one batch request may name.</summary>
    public const int MaxWorlds = 256;
}
