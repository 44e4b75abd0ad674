namespace WorldCluster.Contracts.Plane;

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
