using System.Buffers.Binary;

namespace WorldCluster.Contracts.Plane;

/// <summary>The 16-byte header of every plane message (little-endian): magic, version, kind, flags, request id, count.</summary>
/// <param name="Kind">What the message is.</param>
/// <param name="Flags">Kind-specific flags.</param>
/// <param name="RequestId">Chosen by the client; the server's answer carries it back (several requests may be in flight).</param>
/// <param name="Count">How many entries (environments) the body holds.</param>
public readonly record struct PlaneHeader(PlaneKind Kind, PlaneOptions Flags, uint RequestId, int Count)
{
    /// <summary>Writes the header into the first 16 bytes of <paramref name="message"/>.</summary>
    public void Write(Span<byte> message)
    {
        PlaneProtocol.Magic.CopyTo(message);
        message[4] = PlaneProtocol.Version;
        message[5] = (byte)Kind;
        BinaryPrimitives.WriteUInt16LittleEndian(message[6..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], RequestId);
        BinaryPrimitives.WriteUInt32LittleEndian(message[12..], (uint)Count);
    }

    /// <summary>Reads a header; null with <paramref name="problem"/> saying why when the bytes are not one this version writes.</summary>
    public static PlaneHeader? Read(ReadOnlySpan<byte> message, out string? problem)
    {
        problem = null;
        if (message.Length < PlaneProtocol.HeaderSize)
        {
            problem = $"message of {message.Length} bytes is shorter than the {PlaneProtocol.HeaderSize}-byte header";
            return null;
        }
        if (!message[..4].SequenceEqual(PlaneProtocol.Magic))
        {
            problem = "message does not start with the magic 'WCAP'";
            return null;
        }
        if (message[4] != PlaneProtocol.Version)
        {
            problem = $"layout version {message[4]} is not supported (this server speaks {PlaneProtocol.Version})";
            return null;
        }
        var count = BinaryPrimitives.ReadUInt32LittleEndian(message[12..]);
        if (count > PlaneProtocol.MaxEnvs)
        {
            problem = $"count {count} is over the limit of {PlaneProtocol.MaxEnvs} environments";
            return null;
        }
        return new PlaneHeader((PlaneKind)message[5], (PlaneOptions)BinaryPrimitives.ReadUInt16LittleEndian(message[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(message[8..]), (int)count);
    }
}
