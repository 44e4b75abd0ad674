namespace WorldCluster.Contracts.Plane;

/// <summary>
/// Constants of the agent plane (<c>GET /api/plane</c>): a WebSocket whose binary messages step many worlds with packed
/// arrays and answer with raw tensors. docs/agent-plane.md is the byte-exact layout; this file and the codec are its code.
/// </summary>
public static class PlaneProtocol
{
    /// <summary>The first four bytes of every message: ASCII <c>WCAP</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "WCAP"u8;

    /// <summary>The layout version this codec reads and writes.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of the header every message starts with.</summary>
    public const int HeaderSize = 16;

    /// <summary>Most environments one connection may bind, and one message may name.</summary>
    public const int MaxEnvs = 1024;

    /// <summary>Most player slots (action components per environment) one step may carry.</summary>
    public const int MaxComponents = 64;

    /// <summary>Longest world id in a bind entry (a world id is 1-64 characters).</summary>
    public const int MaxWorldIdLength = 64;

    /// <summary>Bytes of a state digest as the plane carries it (SHA-256, raw).</summary>
    public const int DigestSize = 32;

    /// <summary>Largest message the server reads (a 1024-world step with 64 slots is about 530 KiB).</summary>
    public const int MaxMessageSize = 1 << 20;

    /// <summary>The WebSocket subprotocol the plane speaks (offered beside <c>worldcluster.token.&lt;jwt&gt;</c> when a token rides along).</summary>
    public const string SubProtocol = "worldcluster.plane.v1";
}
