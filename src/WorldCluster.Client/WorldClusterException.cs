namespace WorldCluster.Client;

/// <summary>The server refused a request; <see cref="Problem"/> says why (status, title, detail).</summary>
public sealed class WorldClusterException : Exception
{
    /// <summary>Creates the exception for a problem the server answered with.</summary>
    public WorldClusterException(WorldClusterProblem problem)
        : base(Describe(problem)) => Problem = problem;

    /// <summary>Creates an exception with no problem (status 0).</summary>
    public WorldClusterException()
        : this("the request failed")
    {
    }

    /// <summary>Creates an exception with a message and no problem (status 0).</summary>
    public WorldClusterException(string message)
        : base(message) => Problem = new WorldClusterProblem(0, null, message);

    /// <summary>Creates an exception with a message and a cause, and no problem (status 0).</summary>
    public WorldClusterException(string message, Exception innerException)
        : base(message, innerException) => Problem = new WorldClusterProblem(0, null, message);

    /// <summary>The problem the server answered with.</summary>
    public WorldClusterProblem Problem { get; }

    /// <summary>The HTTP status code of the answer.</summary>
    public int Status => Problem.Status;

    private static string Describe(WorldClusterProblem p) =>
        p.Detail is { Length: > 0 } detail ? $"{p.Status} {p.Title}: {detail}" : $"{p.Status} {p.Title}";
}
