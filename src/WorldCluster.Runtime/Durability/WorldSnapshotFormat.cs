using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using WorldCluster.Contracts;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Durability;

/// <summary>Encodes world snapshots as safetensors files with checksummed metadata, and decodes them strictly (docs/storage.md).</summary>
/// <remarks>
/// Encoding is deterministic (equal snapshots give byte-identical files) and a file names no world, so a snapshot's
/// address in the store, <see cref="Hash"/> of its bytes, is the same for every world that reaches that state.
/// </remarks>
public static class WorldSnapshotFormat
{
    /// <summary>The <c>format</c> metadata value of a snapshot file.</summary>
    public const string FormatName = "worldcluster.snapshot";

    /// <summary>The <c>formatVersion</c> this code writes.</summary>
    public const string CurrentVersion = "1";

    /// <summary>The name of the frame tensor.</summary>
    public const string FrameTensorName = "frame";

    /// <summary>The prefix of state tensor names: state tensor <c>x</c> is stored as <c>state.x</c>.</summary>
    public const string StateTensorPrefix = "state.";

    private const string MetadataObject = "__metadata__";
    private const string KeyFormat = "format";
    private const string KeyFormatVersion = "formatVersion";
    private const string KeyModel = "model";
    private const string KeyModelVersion = "modelVersion";
    private const string KeySeed = "seed";
    private const string KeyPlayers = "players";
    private const string KeyTick = "tick";
    private const string KeyStateOrder = "stateOrder";

    // safetensors readers refuse headers over 100 MB; a snapshot header is a few hundred bytes.
    private const int MaxHeaderBytes = 100_000_000;

    private static readonly string[] SupportedVersions = [CurrentVersion];

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keeps non-ASCII model names readable; the header is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Encodes <paramref name="snapshot"/>; the same snapshot always gives the same bytes.</summary>
    /// <exception cref="ArgumentException">The snapshot is inconsistent (sizes not matching shapes, bad tensor names).</exception>
    public static byte[] Encode(WorldAtTick snapshot)
    {
        Validate(snapshot);

        var tensors = new List<(string Name, StateDType DType, long[] Shape, byte[] Data)>();
        foreach (var t in snapshot.State.Tensors)
        {
            tensors.Add((StateTensorPrefix + t.Name, t.DType, t.Shape, t.Data));
        }
        var frame = snapshot.FrameShape;
        tensors.Add((FrameTensorName, StateDType.UInt8, [frame.Channels, frame.Height, frame.Width], snapshot.Frame));

        // Data is laid out by descending element size (stable, so manifest order within a size), as safetensors' own
        // writer does: every tensor then starts naturally aligned. The header keeps manifest order; stateOrder records it.
        var layout = tensors.OrderByDescending(t => t.DType.ElementSize()).ToList();
        var dataSection = new byte[checked((int)layout.Sum(t => (long)t.Data.Length))];
        var entries = new Dictionary<string, SnapshotTensorEntry>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var t in layout)
        {
            entries[t.Name] = new SnapshotTensorEntry(t.Name, ToSafetensors(t.DType), t.Shape, offset, offset + t.Data.Length);
            t.Data.CopyTo(dataSection, offset);
            offset += t.Data.Length;
        }

        var metadata = new List<KeyValuePair<string, string>>
        {
            new(KeyFormat, FormatName),
            new(KeyFormatVersion, CurrentVersion),
            new(KeyModel, snapshot.Model),
            new(KeyModelVersion, snapshot.ModelVersion),
            new(KeySeed, snapshot.Seed.ToString(CultureInfo.InvariantCulture)),
            new(KeyPlayers, snapshot.Players.ToString(CultureInfo.InvariantCulture)),
            new(KeyTick, snapshot.Tick.ToString(CultureInfo.InvariantCulture)),
            new(KeyStateOrder, string.Join(',', snapshot.State.Tensors.Select(t => t.Name))),
        };
        metadata.Add(new(WorldSnapshotDigest.MetadataKey, WorldSnapshotDigest.Compute(metadata, entries.Values, dataSection)));

        var header = WriteHeader(metadata, tensors.Select(t => entries[t.Name]));
        // safetensors pads the header with spaces so the data section starts 8-byte aligned.
        var paddedLength = (header.Length + 7) / 8 * 8;
        var result = new byte[checked(8 + paddedLength + dataSection.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)paddedLength);
        header.CopyTo(result, 8);
        result.AsSpan(8 + header.Length, paddedLength - header.Length).Fill((byte)' ');
        dataSection.CopyTo(result, 8 + paddedLength);
        return result;
    }

    /// <summary>The snapshot's address: the lowercase hex SHA-256 of its encoded bytes.</summary>
    public static string Hash(ReadOnlySpan<byte> encoded) => Convert.ToHexStringLower(SHA256.HashData(encoded));

    /// <summary>Decodes a snapshot read for <paramref name="worldId"/> from <paramref name="data"/>, checking every part of it.</summary>
    /// <remarks>The file names no world; <paramref name="worldId"/> only says in errors whose data was unreadable.</remarks>
    /// <exception cref="CorruptWorldDataException">The data is not a complete, unaltered snapshot of a supported version.</exception>
    public static WorldAtTick Decode(string worldId, ReadOnlySpan<byte> data)
    {
        WorldId.ThrowIfInvalid(worldId);

        if (data.Length < 8)
        {
            throw Corrupt(worldId, $"the data is truncated: {data.Length} bytes, shorter than the 8-byte header length");
        }
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (headerLength > (ulong)(data.Length - 8))
        {
            throw Corrupt(worldId, $"the header length {headerLength} runs past the end of the data ({data.Length} bytes; truncated?)");
        }
        if (headerLength > MaxHeaderBytes)
        {
            throw Corrupt(worldId, $"the header length {headerLength} is over the safetensors limit of {MaxHeaderBytes} bytes");
        }
        var dataStart = 8 + (int)headerLength;
        var (metadata, tensors) = ParseHeader(worldId, data[8..dataStart]);

        if (metadata is null)
        {
            throw Corrupt(worldId, "the header has no __metadata__: this is not a WorldCluster snapshot");
        }
        if (!metadata.TryGetValue(KeyFormat, out var format))
        {
            throw Corrupt(worldId, $"the metadata has no '{KeyFormat}': this is not a WorldCluster snapshot");
        }
        if (format != FormatName)
        {
            throw Corrupt(worldId, $"unknown format {Quote(format)}, expected '{FormatName}'");
        }
        if (!metadata.TryGetValue(KeyFormatVersion, out var version))
        {
            throw Corrupt(worldId, $"the metadata has no '{KeyFormatVersion}'");
        }
        if (!SupportedVersions.Contains(version))
        {
            throw Corrupt(worldId, $"format version {Quote(version)} is not supported; this reader supports version {string.Join(", ", SupportedVersions)}");
        }
        if (!metadata.TryGetValue(WorldSnapshotDigest.MetadataKey, out var expectedDigest) || !IsLowerHexSha256(expectedDigest))
        {
            throw Corrupt(worldId, $"the metadata has no well-formed '{WorldSnapshotDigest.MetadataKey}' checksum");
        }

        var dataSection = data[dataStart..];
        CheckLayout(worldId, tensors, dataSection.Length);
        var actualDigest = WorldSnapshotDigest.Compute(metadata, tensors, dataSection);
        if (actualDigest != expectedDigest)
        {
            throw Corrupt(worldId, $"checksum mismatch: the file says {expectedDigest}, its content hashes to {actualDigest}");
        }

        // The checksum held, so what follows can only fail for a file written by a faulty or foreign writer.
        var model = Require(worldId, metadata, KeyModel);
        var modelVersion = Require(worldId, metadata, KeyModelVersion);
        var seed = ParseInt64(worldId, metadata, KeySeed, long.MinValue);
        var players = checked((int)ParseInt64(worldId, metadata, KeyPlayers, 0, int.MaxValue));
        var tick = ParseInt64(worldId, metadata, KeyTick, 0);

        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var stateOrder = Require(worldId, metadata, KeyStateOrder);
        var stateNames = stateOrder.Length == 0 ? [] : stateOrder.Split(',');
        var state = new List<StateTensor>(stateNames.Length);
        var used = new HashSet<string>(StringComparer.Ordinal) { FrameTensorName };
        foreach (var name in stateNames)
        {
            var key = StateTensorPrefix + name;
            if (name.Length == 0 || !used.Add(key))
            {
                throw Corrupt(worldId, $"'{KeyStateOrder}' names an empty or repeated tensor: {Quote(stateOrder)}");
            }
            if (!byName.TryGetValue(key, out var entry))
            {
                throw Corrupt(worldId, $"'{KeyStateOrder}' names {Quote(name)} but there is no tensor {Quote(key)}");
            }
            var dtype = FromSafetensors(entry.DType)!.Value;
            state.Add(new StateTensor(name, dtype, entry.Shape, Slice(dataSection, entry)));
        }
        var unexpected = tensors.FirstOrDefault(t => !used.Contains(t.Name));
        if (unexpected is not null)
        {
            throw Corrupt(worldId, $"tensor {Quote(unexpected.Name)} is neither the frame nor named in '{KeyStateOrder}'");
        }
        if (!byName.TryGetValue(FrameTensorName, out var frame))
        {
            throw Corrupt(worldId, $"there is no '{FrameTensorName}' tensor");
        }
        if (frame.DType != "U8" || frame.Shape.Length != 3 || frame.Shape.Any(d => d > int.MaxValue))
        {
            throw Corrupt(worldId, $"the frame must be U8 [C, H, W], found {frame.DType} [{string.Join(", ", frame.Shape)}]");
        }

        return new WorldAtTick(
            model,
            modelVersion,
            seed,
            players,
            tick,
            new WorldState(state),
            Slice(dataSection, frame),
            new ObservationShape((int)frame.Shape[0], (int)frame.Shape[1], (int)frame.Shape[2]));
    }

    private static void Validate(WorldAtTick snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(snapshot.Model, nameof(snapshot));
        ArgumentNullException.ThrowIfNull(snapshot.ModelVersion, nameof(snapshot));
        ArgumentNullException.ThrowIfNull(snapshot.State, nameof(snapshot));
        ArgumentNullException.ThrowIfNull(snapshot.Frame, nameof(snapshot));
        ArgumentNullException.ThrowIfNull(snapshot.FrameShape, nameof(snapshot));
        if (snapshot.Players < 0 || snapshot.Tick < 0)
        {
            throw new ArgumentException("players and tick cannot be negative", nameof(snapshot));
        }
        var shape = snapshot.FrameShape;
        if (shape.Channels < 0 || shape.Height < 0 || shape.Width < 0 || snapshot.Frame.LongLength != (long)shape.Channels * shape.Height * shape.Width)
        {
            throw new ArgumentException($"the frame has {snapshot.Frame.LongLength} bytes, its shape {shape} needs {(long)shape.Channels * shape.Height * shape.Width}", nameof(snapshot));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in snapshot.State.Tensors)
        {
            if (string.IsNullOrEmpty(t.Name) || t.Name.Contains(',', StringComparison.Ordinal) || !names.Add(t.Name))
            {
                throw new ArgumentException($"state tensor names must be non-empty, unique and free of ',': '{t.Name}'", nameof(snapshot));
            }
            if (!Enum.IsDefined(t.DType) || t.Shape.Any(d => d < 0) || ByteCount(t.Shape, t.DType.ElementSize()) != t.Data.LongLength)
            {
                throw new ArgumentException($"state tensor '{t.Name}' has {t.Data.LongLength} bytes, which do not match {t.DType} [{string.Join(", ", t.Shape)}]", nameof(snapshot));
            }
        }
    }

    private static byte[] WriteHeader(IEnumerable<KeyValuePair<string, string>> metadata, IEnumerable<SnapshotTensorEntry> tensors)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataObject);
            foreach (var (key, value) in metadata)
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();
            foreach (var t in tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType);
                json.WriteStartArray("shape");
                foreach (var dim in t.Shape)
                {
                    json.WriteNumberValue(dim);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(t.Begin);
                json.WriteNumberValue(t.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static (Dictionary<string, string>? Metadata, List<SnapshotTensorEntry> Tensors) ParseHeader(string worldId, ReadOnlySpan<byte> header)
    {
        if (!Utf8.IsValid(header))
        {
            throw Corrupt(worldId, "the header is not valid UTF-8");
        }
        try
        {
            using var document = JsonDocument.Parse(header.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt(worldId, "the header is not a JSON object");
            }
            Dictionary<string, string>? metadata = null;
            var tensors = new List<SnapshotTensorEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw Corrupt(worldId, $"the header has {Quote(property.Name)} twice");
                }
                if (property.Name == MetadataObject)
                {
                    metadata = ParseMetadata(worldId, property.Value);
                }
                else
                {
                    tensors.Add(ParseTensor(worldId, property.Name, property.Value));
                }
            }
            return (metadata, tensors);
        }
        catch (JsonException e)
        {
            throw Corrupt(worldId, $"the header is not valid JSON ({e.Message})", e);
        }
        catch (InvalidOperationException e)
        {
            // A JSON string whose escapes decode to invalid UTF-16.
            throw Corrupt(worldId, $"the header has an unreadable string ({e.Message})", e);
        }
    }

    private static Dictionary<string, string> ParseMetadata(string worldId, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(worldId, "__metadata__ is not a JSON object");
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Corrupt(worldId, $"metadata {Quote(property.Name)} is not a string");
            }
            if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
            {
                throw Corrupt(worldId, $"metadata {Quote(property.Name)} appears twice");
            }
        }
        return metadata;
    }

    private static SnapshotTensorEntry ParseTensor(string worldId, string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(worldId, $"tensor {Quote(name)} is not a JSON object");
        }
        string? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        foreach (var field in element.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtype is null && field.Value.ValueKind == JsonValueKind.String:
                    dtype = field.Value.GetString()!;
                    break;
                case "shape" when shape is null:
                    shape = ParseNaturals(worldId, name, field.Value);
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ParseNaturals(worldId, name, field.Value);
                    break;
                default:
                    throw Corrupt(worldId, $"tensor {Quote(name)} has an unexpected, repeated or mistyped field {Quote(field.Name)}");
            }
        }
        if (dtype is null || shape is null || offsets is null || offsets.Length != 2)
        {
            throw Corrupt(worldId, $"tensor {Quote(name)} needs a dtype, a shape and two data_offsets");
        }
        return new SnapshotTensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ParseNaturals(string worldId, string tensor, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw Corrupt(worldId, $"tensor {Quote(tensor)} has a shape or data_offsets that is not an array");
        }
        var result = new long[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
            {
                throw Corrupt(worldId, $"tensor {Quote(tensor)} has a shape or data_offsets entry that is not a non-negative integer");
            }
            result[i++] = value;
        }
        return result;
    }

    // safetensors' own rules: offsets within the data section, sizes matching shape and dtype, and tensors tiling the
    // data section exactly (no gaps, no overlaps, nothing after the last one).
    private static void CheckLayout(string worldId, List<SnapshotTensorEntry> tensors, long dataLength)
    {
        foreach (var t in tensors)
        {
            var elementSize = FromSafetensors(t.DType)?.ElementSize()
                ?? throw Corrupt(worldId, $"tensor {Quote(t.Name)} has unsupported dtype {Quote(t.DType)}");
            if (t.End < t.Begin || t.End > dataLength)
            {
                throw Corrupt(worldId, $"tensor {Quote(t.Name)} has data_offsets [{t.Begin}, {t.End}] outside the {dataLength}-byte data section");
            }
            var byteCount = ByteCount(t.Shape, elementSize);
            if (byteCount != t.End - t.Begin)
            {
                throw Corrupt(worldId, $"tensor {Quote(t.Name)} is {t.DType} [{string.Join(", ", t.Shape)}] but has {t.End - t.Begin} bytes of data");
            }
        }
        long position = 0;
        SnapshotTensorEntry? previous = null;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin < position)
            {
                throw Corrupt(worldId, $"tensors {Quote(previous!.Name)} and {Quote(t.Name)} overlap");
            }
            if (t.Begin > position)
            {
                throw Corrupt(worldId, $"bytes [{position}, {t.Begin}) of the data section belong to no tensor");
            }
            position = t.End;
            previous = t;
        }
        if (position != dataLength)
        {
            throw Corrupt(worldId, $"the data section has {dataLength - position} bytes after the last tensor");
        }
    }

    private static long ByteCount(long[] shape, int elementSize)
    {
        try
        {
            return checked(shape.Aggregate(1L, (a, b) => a * b) * elementSize);
        }
        catch (OverflowException)
        {
            // Never equal to a real byte count, so the caller reports the mismatch.
            return -1;
        }
    }

    private static byte[] Slice(ReadOnlySpan<byte> dataSection, SnapshotTensorEntry entry) =>
        dataSection[(int)entry.Begin..(int)entry.End].ToArray();

    private static string Require(string worldId, Dictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) ? value : throw Corrupt(worldId, $"the metadata has no '{key}'");

    private static long ParseInt64(string worldId, Dictionary<string, string> metadata, string key, long min, long max = long.MaxValue)
    {
        var text = Require(worldId, metadata, key);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw Corrupt(worldId, $"'{key}' is not an integer in [{min}, {max}]: {Quote(text)}");
        }
        return value;
    }

    private static bool IsLowerHexSha256(string text) =>
        text.Length == 64 && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static string ToSafetensors(StateDType type) => type switch
    {
        StateDType.UInt8 => "U8",
        StateDType.Int32 => "I32",
        StateDType.Int64 => "I64",
        StateDType.Float32 => "F32",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown state dtype"),
    };

    private static StateDType? FromSafetensors(string type) => type switch
    {
        "U8" => StateDType.UInt8,
        "I32" => StateDType.Int32,
        "I64" => StateDType.Int64,
        "F32" => StateDType.Float32,
        _ => null,
    };

    // Values from a damaged file can be long or contain anything; keep messages short and printable.
    private static string Quote(string text)
    {
        var shown = text.Length > 64 ? text[..64] + "…" : text;
        return "'" + new string([.. shown.Select(c => char.IsControl(c) ? '?' : c)]) + "'";
    }

    private static CorruptWorldDataException Corrupt(string worldId, string reason, Exception? inner = null) => new(worldId, reason, inner);
}
