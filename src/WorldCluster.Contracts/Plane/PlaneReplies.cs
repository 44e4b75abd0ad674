using System.Buffers.Binary;
using System.Text;

namespace WorldCluster.Contracts.Plane;

/// <summary>One bound environment as the Bound message reports it.</summary>
/// <param name="EnvId">The environment.</param>
/// <param name="Players">The world's player slots (action components a step must carry).</param>
/// <param name="ActionCount">Actions of the model's discrete space; 0 when this gateway does not load the model.</param>
public readonly record struct PlaneBoundEntry(int EnvId, int Players, int ActionCount);

/// <summary>
/// The server's Bound and Error messages. Bound body: <c>u16 C, H, W, reserved</c>, then <c>u32 env_id, u16 players,
/// u16 action_count</c> per entry. Error body: <c>u16 status, u16 reserved</c>, then the detail as UTF-8 to the end.
/// </summary>
public static class PlaneReplies
{
    /// <summary>A Bound message.</summary>
    public static byte[] Bound(uint requestId, int[] shape, IReadOnlyList<PlaneBoundEntry> entries)
    {
        var message = new byte[24 + (8 * entries.Count)];
        new PlaneHeader(PlaneKind.Bound, PlaneOptions.None, requestId, entries.Count).Write(message);
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(16 + (2 * i)), (ushort)shape[i]);
        }
        for (var i = 0; i < entries.Count; i++)
        {
            var at = 24 + (8 * i);
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(at), (uint)entries[i].EnvId);
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(at + 4), (ushort)entries[i].Players);
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(at + 6), (ushort)entries[i].ActionCount);
        }
        return message;
    }

    /// <summary>An Error message: request <paramref name="requestId"/> was refused with <paramref name="status"/>.</summary>
    public static byte[] Error(uint requestId, int status, string detail)
    {
        var text = Encoding.UTF8.GetBytes(detail);
        var message = new byte[20 + text.Length];
        new PlaneHeader(PlaneKind.Error, PlaneOptions.None, requestId, 0).Write(message);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(16), (ushort)status);
        text.CopyTo(message, 20);
        return message;
    }

    /// <summary>The status and detail of an Error message.</summary>
    public static (int Status, string Detail) ReadError(ReadOnlySpan<byte> message) =>
        (BinaryPrimitives.ReadUInt16LittleEndian(message[16..]), Encoding.UTF8.GetString(message[20..]));

    /// <summary>The frame shape and entries of a Bound message.</summary>
    public static (int[] Shape, PlaneBoundEntry[] Entries) ReadBound(ReadOnlySpan<byte> message, PlaneHeader header)
    {
        int[] shape = [BinaryPrimitives.ReadUInt16LittleEndian(message[16..]), BinaryPrimitives.ReadUInt16LittleEndian(message[18..]), BinaryPrimitives.ReadUInt16LittleEndian(message[20..])];
        var entries = new PlaneBoundEntry[header.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var at = 24 + (8 * i);
            entries[i] = new PlaneBoundEntry((int)BinaryPrimitives.ReadUInt32LittleEndian(message[at..]),
                BinaryPrimitives.ReadUInt16LittleEndian(message[(at + 4)..]), BinaryPrimitives.ReadUInt16LittleEndian(message[(at + 6)..]));
        }
        return (shape, entries);
    }
}
