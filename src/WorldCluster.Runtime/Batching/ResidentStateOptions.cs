namespace WorldCluster.Runtime.Batching;

/// <summary>How much world state a silo keeps on its model device (section <c>WorldCluster:Models</c>).</summary>
public sealed class ResidentStateOptions
{
    /// <summary>Configuration section name (shared with the silo's model catalog settings).</summary>
    public const string SectionName = "WorldCluster:Models";

    /// <summary>
    /// Device bytes of world state the silo's batchers may hold between steps, all models together; 0 (the default) is
    /// unbounded. Past it the least recently stepped worlds are spilled to host memory and come back on their next step.
    /// </summary>
    public long ResidentStateBudgetBytes { get; set; }

    /// <summary>
    /// Worlds stepped within this long are the working set: a new world is admitted only while the working set's state
    /// fits the budget with room for it (otherwise worlds would only spill each other).
    /// </summary>
    public TimeSpan AdmissionWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Seconds a refused creation is told to wait (<c>Retry-After</c>).</summary>
    public int AdmissionRetryAfterSeconds { get; set; } = 2;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (ResidentStateBudgetBytes < 0)
        {
            throw new InvalidOperationException($"{SectionName}:ResidentStateBudgetBytes must be 0 (unbounded) or positive, not {ResidentStateBudgetBytes}");
        }
        if (AdmissionWindow <= TimeSpan.Zero || AdmissionRetryAfterSeconds < 1)
        {
            throw new InvalidOperationException($"{SectionName}:AdmissionWindow must be positive and AdmissionRetryAfterSeconds at least 1");
        }
    }
}
