namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/worlds/{id}/migrate</c> (optional): the target silo as <c>WorldInfo.Silo</c> shows it; placement chooses when absent.</summary>
public sealed record MigrateBody(string? Silo = null);
