using System.Buffers.Binary;
using System.Text;

namespace WorldCluster.Contracts.Plane;

/// <summary>One bind entry: environment <paramref name="EnvId"/> now means world <paramref name="World"/>.</summary>
/// <param name="EnvId">The client's index for the environment, below <see cref="PlaneProtocol.MaxEnvs"/>.</param>
/// <param name="World">The world id.</param>
/// <param name="MaxEpisodeSteps">Steps after which results mark the environment truncated (0: never).</param>
public readonly record struct PlaneBindEntry(int EnvId, string World, uint MaxEpisodeSteps = 0);

/// <summary>The Bind message: entries of <c>u32 env_id, u32 max_episode_steps, u8 id_length, id (ASCII)</c>.</summary>
public static class PlaneBind
{
    /// <summary>A Bind message.</summary>
    public static byte[] Encode(uint requestId, IReadOnlyList<PlaneBindEntry> entries)
    {
        var size = PlaneProtocol.HeaderSize + entries.Sum(e => 9 + Encoding.ASCII.GetByteCount(e.World));
        var message = new byte[size];
        new PlaneHeader(PlaneKind.Bind, PlaneOptions.None, requestId, entries.Count).Write(message);
        var at = PlaneProtocol.HeaderSize;
        foreach (var e in entries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(at), (uint)e.EnvId);
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(at + 4), e.MaxEpisodeSteps);
            var length = Encoding.ASCII.GetBytes(e.World, message.AsSpan(at + 9));
            message[at + 8] = (byte)length;
            at += 9 + length;
        }
        return message;
    }

    /// <summary>The entries of a Bind message; null with <paramref name="problem"/> when its body is malformed.</summary>
    public static PlaneBindEntry[]? Decode(ReadOnlySpan<byte> message, PlaneHeader header, out string? problem)
    {
        problem = null;
        if (header.Count == 0)
        {
            problem = "bind names no environments";
            return null;
        }
        var entries = new PlaneBindEntry[header.Count];
        var seen = new HashSet<int>();
        var at = PlaneProtocol.HeaderSize;
        for (var i = 0; i < entries.Length; i++)
        {
            if (message.Length - at < 9)
            {
                problem = $"bind entry {i} is cut short at byte {message.Length}";
                return null;
            }
            var env = BinaryPrimitives.ReadUInt32LittleEndian(message[at..]);
            var length = message[at + 8];
            if (env >= PlaneProtocol.MaxEnvs || !seen.Add((int)env))
            {
                problem = env >= PlaneProtocol.MaxEnvs ? $"bind entry {i}: env id {env} is not below {PlaneProtocol.MaxEnvs}" : $"bind entry {i}: env id {env} appears twice";
                return null;
            }
            if (length == 0 || length > PlaneProtocol.MaxWorldIdLength || message.Length - at - 9 < length)
            {
                problem = $"bind entry {i}: world id length {length} is not 1-{PlaneProtocol.MaxWorldIdLength} or runs past the message";
                return null;
            }
            var world = Encoding.ASCII.GetString(message.Slice(at + 9, length));
            if (!WorldId.IsValid(world))
            {
                problem = $"bind entry {i}: not a world id (1-64 characters of a-z, 0-9 and '-')";
                return null;
            }
            entries[i] = new PlaneBindEntry((int)env, world, BinaryPrimitives.ReadUInt32LittleEndian(message[(at + 4)..]));
            at += 9 + length;
        }
        if (at != message.Length)
        {
            problem = $"bind has {message.Length - at} bytes after its last entry";
            return null;
        }
        return entries;
    }
}
