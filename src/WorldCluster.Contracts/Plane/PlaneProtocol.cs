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

/// <summary>What a message is (header byte 5). Client messages are below 0x80, server messages 0x80 and up.</summary>
public enum PlaneKind : byte
{
    /// <summary>Client: bind environment ids to worlds.</summary>
    Bind = 0x01,

    /// <summary>Client: step (or observe) bound environments.</summary>
    Step = 0x02,

    /// <summary>Server: the answer to a bind.</summary>
    Bound = 0x81,

    /// <summary>Server: the answer to a step: raw tensors.</summary>
    Result = 0x82,

    /// <summary>Server: a well-formed request that was refused; nothing in it stepped. The connection stays open.</summary>
    Error = 0xFF,
}

/// <summary>Header flags (bytes 6-7).</summary>
[Flags]
public enum PlaneOptions : ushort
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Step/Result: no frames (the frame section is empty).</summary>
    NoFrames = 1,
}

/// <summary>How a step's action array is packed (the step body's first field).</summary>
public enum PlaneActionKind : ushort
{
    /// <summary>One little-endian int64 per player slot: the action index of a discrete space.</summary>
    DiscreteInt64 = 1,
}

/// <summary>What a step does to one environment (one byte each in the step body).</summary>
public enum PlaneOp : byte
{
    /// <summary>Step the world one tick with this environment's actions.</summary>
    Step = 0,

    /// <summary>Only observe the world (its actions are ignored; rewards are zeros): a freshly bound world's first observation.</summary>
    Observe = 1,
}
