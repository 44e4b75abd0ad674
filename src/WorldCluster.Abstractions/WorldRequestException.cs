namespace WorldCluster.Abstractions;

/// <summary>A world refused a request for a reason the caller can act on.</summary>
[GenerateSerializer]
[Alias("WorldCluster.WorldRequestException")]
public sealed class WorldRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorldRequestException(WorldErrorKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>Creates an empty exception (serializer use).</summary>
    public WorldRequestException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WorldRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WorldRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the request was refused.</summary>
    [Id(0)]
    public WorldErrorKind Kind { get; init; }

    /// <summary>For <see cref="WorldErrorKind.Unavailable"/>: seconds after which a retry may succeed (HTTP <c>Retry-After</c>), when known.</summary>
    [Id(1)]
    public int? RetryAfterSeconds { get; init; }
}
