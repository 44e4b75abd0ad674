namespace WorldCluster.Runtime.Batching;

/// <summary>The model failed a world's step: its output was bad, or the model call of its batch threw; the world's state is unchanged.</summary>
public sealed class ModelStepException : Exception
{
    /// <summary>Creates the exception for a model id and the model's own error.</summary>
    public ModelStepException(string modelId, Exception innerException)
        : base($"model '{modelId}' failed the step: {innerException.Message}", innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ModelStepException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelStepException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for one world whose own output was bad.</summary>
    public ModelStepException(string message, string? world)
        : base(message)
    {
        World = world;
    }

    /// <summary>The world whose output was bad, when the failure was that world's alone (null when its batch failed).</summary>
    public string? World { get; }
}
