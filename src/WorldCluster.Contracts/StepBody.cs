namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/worlds/{id}/step</c>: one action per player slot (an integer, or JSON for a structured space; see <see cref="PlayerAction"/>).</summary>
public sealed record StepBody(PlayerAction[] Actions);
