using System.Net.WebSockets;

namespace WorldCluster.Client;

/// <summary>
/// The server ended a session for a reason other than a normal close: the client fell behind (1008), the world's frame
/// sequence broke (1011) or the world restarted (1001). Join again to continue from the current frame.
/// </summary>
public sealed class WorldSessionClosedException : Exception
{
    /// <summary>Creates the exception from the close status and description the server sent.</summary>
    public WorldSessionClosedException(WebSocketCloseStatus? closeStatus, string? description)
        : base($"the server ended the session ({(int?)closeStatus} {closeStatus}: {description})")
    {
        CloseStatus = closeStatus;
        CloseDescription = description;
    }

    /// <summary>Creates the exception.</summary>
    public WorldSessionClosedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WorldSessionClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WorldSessionClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The WebSocket close status, or null when the connection broke without one.</summary>
    public WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>The reason the server gave.</summary>
    public string? CloseDescription { get; }
}
