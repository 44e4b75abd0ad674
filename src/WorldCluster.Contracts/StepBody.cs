namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/worlds/{id}/step</c>: one action per player slot.</summary>
public sealed record StepBody(int[] Actions);
