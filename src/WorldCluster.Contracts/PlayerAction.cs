using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorldCluster.Contracts;

/// <summary>
/// One player slot's action as JSON: an integer in a discrete space (<c>3</c>), the keys held in a keys space
/// (<c>["W", "Space"]</c>), the values of a box space (<c>[0.5, -1]</c>), or an object of components in a dict space
/// (<c>{"keys": ["W"], "mouse": [12, -3]}</c>). What it means is checked against the world's space by <see cref="ActionWords"/>.
/// </summary>
[JsonConverter(typeof(PlayerActionJsonConverter))]
public sealed class PlayerAction
{
    private PlayerAction(JsonElement value) => Value = value;

    /// <summary>The action as sent.</summary>
    public JsonElement Value { get; }

    /// <summary>A discrete action.</summary>
    public static implicit operator PlayerAction(int action) => FromJson(JsonSerializer.SerializeToElement(action));

    /// <summary>A discrete action.</summary>
    public static PlayerAction Discrete(int action) => action;

    /// <summary>The keys held (every other key of the space is not).</summary>
    public static PlayerAction Keys(params string[] held) => FromJson(JsonSerializer.SerializeToElement(held));

    /// <summary>A box's values; floats are written so that they read back to the same bits.</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite (JSON cannot carry it; no space accepts it).</exception>
    public static PlayerAction Box(params float[] values) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"box value {v} is not a finite number", nameof(values));
            }
            w.WriteNumberValue(v);
        }
        w.WriteEndArray();
    });

    /// <summary>A dict space's action: some or all of its components by name.</summary>
    public static PlayerAction Dict(params (string Name, PlayerAction Value)[] components) => Write(w =>
    {
        w.WriteStartObject();
        foreach (var (name, value) in components)
        {
            w.WritePropertyName(name);
            value.Value.WriteTo(w);
        }
        w.WriteEndObject();
    });

    /// <summary>An action as JSON (copied, so it outlives <paramref name="value"/>'s document).</summary>
    public static PlayerAction FromJson(JsonElement value) => new(value.Clone());

    /// <summary>True when the action is a plain integer (a discrete action).</summary>
    public bool IsInteger(out int action)
    {
        action = 0;
        return Value.ValueKind == JsonValueKind.Number && Value.TryGetInt32(out action);
    }

    /// <inheritdoc />
    public override string ToString() => Value.GetRawText();

    private static PlayerAction Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return FromJson(doc.RootElement);
    }
}

/// <summary>Reads and writes a <see cref="PlayerAction"/> as the JSON value it is.</summary>
public sealed class PlayerActionJsonConverter : JsonConverter<PlayerAction>
{
    /// <inheritdoc />
    public override PlayerAction Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return PlayerAction.FromJson(doc.RootElement);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, PlayerAction value, JsonSerializerOptions options) => value.Value.WriteTo(writer);
}
