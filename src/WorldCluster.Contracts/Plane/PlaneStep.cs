using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace WorldCluster.Contracts.Plane;

/// <summary>
/// The Step message. Body at byte 16: <c>u16 action_kind, u16 components (K), u32 reserved (0)</c>; at 24 the actions,
/// <c>i64[count × K]</c> (environment-major); then <c>u32 env_ids[count]</c>; then <c>u8 ops[count]</c> (<see cref="PlaneOp"/>).
/// </summary>
/// <param name="RequestId">The client's id for this request.</param>
/// <param name="Frames">Whether the result carries frames.</param>
/// <param name="Components">Action components per environment (one per player slot for discrete actions).</param>
/// <param name="Actions">The actions, <c>count × Components</c>.</param>
/// <param name="EnvIds">The environments, each at most once.</param>
/// <param name="Ops">What to do to each environment.</param>
public sealed record PlaneStep(uint RequestId, bool Frames, int Components, long[] Actions, int[] EnvIds, PlaneOp[] Ops)
{
    /// <summary>Offset of the action array.</summary>
    public const int ActionsOffset = 24;

    /// <summary>Exact size of a step message of <paramref name="count"/> environments and <paramref name="components"/> slots.</summary>
    public static int Size(int count, int components) => ActionsOffset + (8 * count * components) + (5 * count);

    /// <summary>The message bytes.</summary>
    public byte[] Encode()
    {
        var count = EnvIds.Length;
        var message = new byte[Size(count, Components)];
        new PlaneHeader(PlaneKind.Step, Frames ? PlaneOptions.None : PlaneOptions.NoFrames, RequestId, count).Write(message);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(16), (ushort)PlaneActionKind.DiscreteInt64);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(18), (ushort)Components);
        var at = ActionsOffset;
        foreach (var a in Actions)
        {
            BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(at), a);
            at += 8;
        }
        foreach (var e in EnvIds)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(at), (uint)e);
            at += 4;
        }
        MemoryMarshal.AsBytes(Ops.AsSpan()).CopyTo(message.AsSpan(at));
        return message;
    }

    /// <summary>A step message's content; null with <paramref name="problem"/> when it is malformed.</summary>
    public static PlaneStep? Decode(ReadOnlySpan<byte> message, PlaneHeader header, out string? problem)
    {
        problem = null;
        var count = header.Count;
        if (count == 0)
        {
            problem = "step names no environments";
            return null;
        }
        if ((header.Flags & ~PlaneOptions.NoFrames) != 0)
        {
            problem = $"step flags 0x{(ushort)header.Flags:x4} set unknown bits";
            return null;
        }
        if (message.Length < ActionsOffset)
        {
            problem = $"step of {message.Length} bytes is shorter than its {ActionsOffset}-byte fixed part";
            return null;
        }
        var kind = BinaryPrimitives.ReadUInt16LittleEndian(message[16..]);
        var components = BinaryPrimitives.ReadUInt16LittleEndian(message[18..]);
        if (kind != (ushort)PlaneActionKind.DiscreteInt64)
        {
            problem = $"action kind {kind} is not supported (1: discrete int64)";
            return null;
        }
        if (components is 0 or > PlaneProtocol.MaxComponents || BinaryPrimitives.ReadUInt32LittleEndian(message[20..]) != 0)
        {
            problem = $"components {components} is not 1-{PlaneProtocol.MaxComponents}, or the reserved field is not 0";
            return null;
        }
        if (message.Length != Size(count, components))
        {
            problem = $"step of {count} environments × {components} components must be {Size(count, components)} bytes, not {message.Length}";
            return null;
        }
        var actions = new long[count * components];
        MemoryMarshal.Cast<byte, long>(message.Slice(ActionsOffset, 8 * actions.Length)).CopyTo(actions);
        var ids = message.Slice(ActionsOffset + (8 * actions.Length), 4 * count);
        var opBytes = message[(ActionsOffset + (8 * actions.Length) + (4 * count))..];
        var envs = new int[count];
        var ops = new PlaneOp[count];
        var seen = new HashSet<int>();
        for (var i = 0; i < count; i++)
        {
            var env = BinaryPrimitives.ReadUInt32LittleEndian(ids[(4 * i)..]);
            if (env >= PlaneProtocol.MaxEnvs || !seen.Add((int)env))
            {
                // Two ticks of one world in one message would have no defined order.
                problem = env >= PlaneProtocol.MaxEnvs ? $"env_ids[{i}] = {env} is not below {PlaneProtocol.MaxEnvs}" : $"env_ids[{i}] = {env} appears twice";
                return null;
            }
            if (opBytes[i] > (byte)PlaneOp.Observe)
            {
                problem = $"ops[{i}] = {opBytes[i]} is not 0 (step) or 1 (observe)";
                return null;
            }
            envs[i] = (int)env;
            ops[i] = (PlaneOp)opBytes[i];
        }
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < actions.Length; i++)
            {
                actions[i] = BinaryPrimitives.ReverseEndianness(actions[i]);
            }
        }
        return new PlaneStep(header.RequestId, (header.Flags & PlaneOptions.NoFrames) == 0, components, actions, envs, ops);
    }
}
