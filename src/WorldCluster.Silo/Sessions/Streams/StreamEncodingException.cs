namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>A world's stream in some format could not be encoded (e.g. ffmpeg is missing); its viewers are ended with the reason.</summary>
public sealed class StreamEncodingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamEncodingException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StreamEncodingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public StreamEncodingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
