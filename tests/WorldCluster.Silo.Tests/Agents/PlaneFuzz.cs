using System.Buffers.Binary;
using System.Net.WebSockets;
using WorldCluster.Contracts.Plane;

namespace WorldCluster.Silo.Tests.Agents;

/// <summary>
/// Seeded malformed plane messages: a valid step or bind for envs 0-3 with one structural fault (or random bytes). Each
/// one is checked with the codec to be malformed, so a server that ran it would be wrong, whatever the fault was.
/// </summary>
internal static class PlaneFuzz
{
    /// <summary>A malformed message and the WebSocket type to send it as.</summary>
    public static (byte[] Message, WebSocketMessageType Type) Next(Random random)
    {
        while (true)
        {
            var (message, type) = Candidate(random);
            if (type != WebSocketMessageType.Binary || IsMalformed(message))
            {
                return (message, type);
            }
        }
    }

    private static (byte[], WebSocketMessageType) Candidate(Random random)
    {
        var step = ValidStep(random);
        switch (random.Next(12))
        {
            case 0:
                return (Bytes(random, random.Next(0, 80)), WebSocketMessageType.Binary);
            case 1:
                step[random.Next(0, 6)] ^= (byte)random.Next(1, 256);
                break;
            case 2:
                return (step[..random.Next(0, step.Length)], WebSocketMessageType.Binary);
            case 3:
                return ([.. step, .. Bytes(random, random.Next(1, 17))], WebSocketMessageType.Binary);
            case 4:
                BinaryPrimitives.WriteUInt32LittleEndian(step.AsSpan(12), (uint)random.Next(0, 5000));
                break;
            case 5:
                step[random.Next(16, 24)] ^= (byte)random.Next(1, 256);
                break;
            case 6:
                var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(step.AsSpan(12));
                var ids = step.Length - (5 * count);
                BinaryPrimitives.WriteUInt32LittleEndian(step.AsSpan(ids + (4 * random.Next(count))), (uint)random.Next(1024, int.MaxValue));
                break;
            case 7:
                step[step.Length - 1 - random.Next((int)BinaryPrimitives.ReadUInt32LittleEndian(step.AsSpan(12)))] = (byte)random.Next(2, 256);
                break;
            case 8:
                step[6] |= (byte)(2 << random.Next(7));
                break;
            case 9:
                var bind = PlaneBind.Encode(1, [new PlaneBindEntry(0, "w-fuzz-" + random.Next(1000))]);
                bind[16 + 8] = (byte)random.Next(0, 256);
                bind[^1] = (byte)random.Next(0, 256);
                return (bind[..random.Next(16, bind.Length + 1)], WebSocketMessageType.Binary);
            case 10:
                // Valid UTF-8: a text frame that is not is a WebSocket protocol error, which the framework answers by aborting.
                return (System.Text.Encoding.UTF8.GetBytes(new string([.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(32, 0x3000))])), WebSocketMessageType.Text);
            default:
                step[5] = (byte)random.Next(0x03, 0x100);
                break;
        }
        return (step, WebSocketMessageType.Binary);
    }

    private static byte[] ValidStep(Random random)
    {
        var envs = Enumerable.Range(0, 4).OrderBy(_ => random.Next()).Take(random.Next(1, 5)).ToArray();
        var actions = envs.Select(_ => (long)random.Next(0, 6)).ToArray();
        return new PlaneStep((uint)random.Next(), random.Next(2) == 0, 1, actions, envs, [.. envs.Select(_ => PlaneOp.Step)]).Encode();
    }

    private static bool IsMalformed(byte[] message)
    {
        if (PlaneHeader.Read(message, out _) is not { } header)
        {
            return true;
        }
        return header.Kind switch
        {
            PlaneKind.Bind => PlaneBind.Decode(message, header, out _) is null,
            PlaneKind.Step => PlaneStep.Decode(message, header, out _) is null,
            _ => true,
        };
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
