using System.Buffers.Binary;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Frames;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// Encodes journal records as framed entries: <c>u32 payload length, u32 CRC-32 of the payload, payload</c> (little-endian).
/// Stores append records all or nothing, so any short or damaged entry means the data is corrupt. See docs/storage.md.
/// </summary>
public static class JournalCodec
{
    private const byte TickKind = 1;
    private const byte FenceKind = 2;
    private const int FrameHeader = 8;
    private const int MaxPayload = 64 * 1024 * 1024;

    /// <summary>Encodes one record.</summary>
    public static byte[] Encode(JournalRecord record)
    {
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            switch (record)
            {
                case TickRecord t:
                    w.Write(TickKind);
                    w.Write(t.Tick);
                    w.Write((byte)t.Actions.Length);
                    foreach (var a in t.Actions)
                    {
                        w.Write(a);
                    }
                    w.Write(Convert.FromHexString(t.Digest));
                    w.Write(t.State is not null);
                    if (t.State is not null)
                    {
                        w.Write(t.State.Tensors.Count);
                        foreach (var tensor in t.State.Tensors)
                        {
                            w.Write(tensor.Data.Length);
                            w.Write(tensor.Data);
                        }
                        w.Write(t.Frame!.Length);
                        w.Write(t.Frame);
                    }
                    break;
                case FenceRecord f:
                    w.Write(FenceKind);
                    w.Write(f.Activation.ToByteArray());
                    w.Write(f.Tick);
                    break;
                default:
                    throw new ArgumentException($"unknown journal record {record.GetType().Name}", nameof(record));
            }
        }
        var body = payload.ToArray();
        var framed = new byte[FrameHeader + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(framed, (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(framed.AsSpan(4), PngEncoder.Crc32(body));
        body.CopyTo(framed, FrameHeader);
        return framed;
    }

    /// <summary>Decodes a whole segment; <paramref name="specs"/> give the shapes of carried states.</summary>
    /// <exception cref="CorruptWorldDataException">An entry is short, damaged or malformed.</exception>
    public static IReadOnlyList<JournalRecord> Decode(string worldId, string segment, ReadOnlySpan<byte> data, IReadOnlyList<StateTensorSpec> specs)
    {
        var records = new List<JournalRecord>();
        var offset = 0;
        while (offset < data.Length)
        {
            if (data.Length - offset < FrameHeader)
            {
                throw Corrupt(worldId, segment, offset, "a record header is cut short");
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]);
            if (length > MaxPayload || length > data.Length - offset - FrameHeader)
            {
                throw Corrupt(worldId, segment, offset, "a record is cut short");
            }
            var payload = data.Slice(offset + FrameHeader, (int)length);
            if (PngEncoder.Crc32(payload) != crc)
            {
                throw Corrupt(worldId, segment, offset, "a record fails its checksum");
            }
            try
            {
                records.Add(DecodePayload(payload.ToArray(), specs));
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or FormatException)
            {
                throw Corrupt(worldId, segment, offset, $"a record is malformed ({e.Message})");
            }
            offset += FrameHeader + (int)length;
        }
        return records;
    }

    private static JournalRecord DecodePayload(byte[] payload, IReadOnlyList<StateTensorSpec> specs)
    {
        using var r = new BinaryReader(new MemoryStream(payload));
        var kind = r.ReadByte();
        JournalRecord record;
        switch (kind)
        {
            case TickKind:
                var tick = r.ReadInt64();
                var actions = new int[r.ReadByte()];
                for (var i = 0; i < actions.Length; i++)
                {
                    actions[i] = r.ReadInt32();
                }
                var digest = Convert.ToHexStringLower(r.ReadBytes(32));
                WorldState? state = null;
                byte[]? frame = null;
                if (r.ReadBoolean())
                {
                    var count = r.ReadInt32();
                    if (count != specs.Count)
                    {
                        throw new InvalidDataException($"carries {count} state tensors, the model has {specs.Count}");
                    }
                    var tensors = new StateTensor[count];
                    for (var i = 0; i < count; i++)
                    {
                        var bytes = ReadExactly(r, r.ReadInt32());
                        tensors[i] = new StateTensor(specs[i].Name, specs[i].DType, [.. specs[i].Shape], bytes);
                    }
                    state = new WorldState(tensors);
                    state.Validate(specs);
                    frame = ReadExactly(r, r.ReadInt32());
                }
                record = new TickRecord(tick, actions, digest, state, frame);
                break;
            case FenceKind:
                record = new FenceRecord(new Guid(ReadExactly(r, 16)), r.ReadInt64());
                break;
            default:
                throw new InvalidDataException($"unknown record kind {kind}");
        }
        if (r.BaseStream.Position != payload.Length)
        {
            throw new InvalidDataException("trailing bytes");
        }
        return record;
    }

    private static byte[] ReadExactly(BinaryReader r, int count)
    {
        if (count < 0)
        {
            throw new InvalidDataException("negative length");
        }
        var bytes = r.ReadBytes(count);
        return bytes.Length == count ? bytes : throw new EndOfStreamException();
    }

    private static CorruptWorldDataException Corrupt(string worldId, string segment, int offset, string why) =>
        new(worldId, $"journal segment {segment}: {why} at byte {offset}");
}
