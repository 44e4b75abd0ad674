namespace WorldCluster.Runtime.Batching;

/// <summary>The model's step queue is full: the caller should back off and retry.</summary>
public sealed class StepQueueFullException : Exception
{
    /// <summary>Creates the exception for a model and the queue capacity it hit.</summary>
    public StepQueueFullException(string model, int capacity)
        : base($"the step queue of model '{model}' is full ({capacity} waiting); retry later") => Model = model;

    /// <summary>Creates the exception.</summary>
    public StepQueueFullException()
        : base("the step queue is full") => Model = "";

    /// <summary>Creates the exception with a message.</summary>
    public StepQueueFullException(string message)
        : base(message) => Model = "";

    /// <summary>Creates the exception with a message and a cause.</summary>
    public StepQueueFullException(string message, Exception innerException)
        : base(message, innerException) => Model = "";

    /// <summary>The model whose queue is full.</summary>
    public string Model { get; }
}
