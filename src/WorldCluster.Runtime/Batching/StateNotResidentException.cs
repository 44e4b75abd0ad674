namespace WorldCluster.Runtime.Batching;

/// <summary>
/// A step asked for a world's resident state, and its batcher does not hold that world at that tick (it was evicted,
/// or the batcher is not the one that stepped it): the world must be taken up again from its journal.
/// </summary>
public sealed class StateNotResidentException : Exception
{
    /// <summary>Creates the exception for a world and the tick its state was expected at.</summary>
    public StateNotResidentException(string world, long tick)
        : base($"the model's batcher no longer holds the state of world '{world}' at tick {tick}; the world is taken up again from its journal") => World = world;

    /// <summary>Creates the exception.</summary>
    public StateNotResidentException()
        : base("the model's batcher no longer holds the world's state") => World = "";

    /// <summary>Creates the exception with a message.</summary>
    public StateNotResidentException(string message)
        : base(message) => World = "";

    /// <summary>Creates the exception with a message and a cause.</summary>
    public StateNotResidentException(string message, Exception innerException)
        : base(message, innerException) => World = "";

    /// <summary>The world whose state was not held.</summary>
    public string World { get; }
}
