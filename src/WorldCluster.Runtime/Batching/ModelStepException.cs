namespace WorldCluster.Runtime.Batching;

/// <summary>The model failed the batch a request was in; the world's state is unchanged.</summary>
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
}
