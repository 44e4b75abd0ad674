namespace WorldCluster.Client;

/// <summary>An RFC 7807 problem the server answered with: status, a short title and a detail that says what to fix.</summary>
/// <param name="Status">HTTP status code.</param>
/// <param name="Title">Short summary of the kind of problem.</param>
/// <param name="Detail">What went wrong and what to fix.</param>
/// <param name="WorldId">The world the problem is about, when there is one.</param>
/// <param name="Type">URI reference naming the problem type, when given.</param>
public sealed record WorldClusterProblem(int Status, string? Title, string? Detail, string? WorldId = null, string? Type = null);
