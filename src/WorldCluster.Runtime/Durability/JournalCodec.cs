using System.Buffers.Binary;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Frames;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// Encodes journal records as framed entries: <c>u32 payload length, u32 CRC-32 of the payload, payload</c> (little-endian).
/// A damaged entry means the data is corrupt; only a last entry cut short is a torn (unacknowledged) tail. See docs/durability.md.
/// </summary>
public static class JournalCodec
{
    private const byte TickKind = 1;
    private const byte FenceKind = 2;
    // A tick whose actions take more than 255 words (structured action spaces): the count is a u32, otherwise as TickKind.
    // Kind 1 records are written and read exactly as before, so worlds stored earlier stay readable byte for byte.
    private const byte WideTickKind = 3;
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
                    var wide = t.Actions.Length > byte.MaxValue;
                    w.Write(wide ? WideTickKind : TickKind);
                    w.Write(t.Tick);
                    if (wide)
                    {
                        w.Write(t.Actions.Length);
                    }
                    else
                    {
                        w.Write((byte)t.Actions.Length);
                    }
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

    /// <summary>
    /// Decodes a segment lazily, record by record (so a reader that stops early never parses what follows). A last record
    /// cut short by the end of the data is a torn tail — an append a crash interrupted before its flush returned, so it was
    /// never acknowledged — and ends the sequence; <paramref name="tail"/> then says so.
    /// </summary>
    /// <exception cref="CorruptWorldDataException">A record before the last is short, damaged or malformed.</exception>
    public static IEnumerable<JournalRecord> Decode(string worldId, string segment, byte[] data, IReadOnlyList<StateTensorSpec> specs, JournalTail tail)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            var remaining = data.Length - offset;
            if (remaining < FrameHeader)
            {
                tail.Torn = true;
                yield break;
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
            if (length > MaxPayload)
            {
                throw Corrupt(worldId, segment, offset, "a record has an impossible length");
            }
            if (length > remaining - FrameHeader)
            {
                tail.Torn = true;
                yield break;
            }
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 4));
            var end = offset + FrameHeader + (int)length;
            if (PngEncoder.Crc32(data.AsSpan(offset + FrameHeader, (int)length)) != crc)
            {
                // A complete record that fails its checksum may have been acknowledged: never drop it silently.
                throw Corrupt(worldId, segment, offset, "a record fails its checksum");
            }
            JournalRecord record;
            try
            {
                record = DecodePayload(data[(offset + FrameHeader)..end], specs);
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or FormatException)
            {
                throw Corrupt(worldId, segment, offset, $"a record is malformed ({e.Message})");
            }
            offset = end;
            yield return record;
        }
    }

    private static JournalRecord DecodePayload(byte[] payload, IReadOnlyList<StateTensorSpec> specs)
    {
        using var r = new BinaryReader(new MemoryStream(payload));
        var kind = r.ReadByte();
        JournalRecord record;
        switch (kind)
        {
            case TickKind or WideTickKind:
                var tick = r.ReadInt64();
                var count = kind == WideTickKind ? r.ReadInt32() : r.ReadByte();
                if (count < 0 || count > payload.Length / sizeof(int))
                {
                    throw new InvalidDataException($"carries an impossible {count} action words");
                }
                var actions = new int[count];
                for (var i = 0; i < actions.Length; i++)
                {
                    actions[i] = r.ReadInt32();
                }
                var digest = Convert.ToHexStringLower(r.ReadBytes(32));
                WorldState? state = null;
                byte[]? frame = null;
                if (r.ReadBoolean())
                {
                    var tensorCount = r.ReadInt32();
                    if (tensorCount != specs.Count)
                    {
                        throw new InvalidDataException($"carries {tensorCount} state tensors, the model has {specs.Count}");
                    }
                    var tensors = new StateTensor[tensorCount];
                    for (var i = 0; i < tensorCount; i++)
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
