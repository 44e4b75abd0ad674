using System.Globalization;
using System.Text.Json;

namespace WorldCluster.Contracts;

/// <summary>
/// Turns actions sent as JSON into the int32 words a world steps with and journals, and checks words: a slot takes
/// <see cref="Width"/> words (discrete: the action; keys: 0 or 1 each; box: each float's IEEE-754 bits, so values travel
/// and replay exactly). Every problem names the field, e.g. <c>actions[1].mouse[0]</c>.
/// </summary>
public static class ActionWords
{
    /// <summary>Int32 words one slot's action takes in <paramref name="space"/>.</summary>
    public static int Width(ActionSpaceInfo space) => space.Components is { } cs ? cs.Sum(ComponentWidth) : 1;

    /// <summary>
    /// The one rule for a step's actions, at the gateway and in the world: <paramref name="integers"/> are the actions when
    /// every one sent was an integer (else empty), <paramref name="json"/> the array as sent (null from a grain client, whose
    /// integers are then a structured space's packed words). Null when they are one tick's actions, with the words.
    /// </summary>
    public static string? Read(IReadOnlyList<int>? integers, string? json, int players, ActionSpaceInfo space, out int[] words)
    {
        if (json is null || (space.Components is null && integers is { Count: > 0 }))
        {
            words = [.. integers ?? []];
            return Check(integers, players, space);
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Parse(doc.RootElement, players, space, out words);
        }
        catch (JsonException e)
        {
            words = [];
            return $"actions are not JSON: {e.Message}";
        }
    }

    /// <summary>Why <paramref name="actions"/> (a JSON array, one value per slot) is not one tick's actions; null when it is, with the words.</summary>
    public static string? Parse(JsonElement actions, int players, ActionSpaceInfo space, out int[] words)
    {
        words = [];
        if (actions.ValueKind != JsonValueKind.Array || actions.GetArrayLength() != players)
        {
            var got = actions.ValueKind == JsonValueKind.Array ? actions.GetArrayLength().ToString(CultureInfo.InvariantCulture) : $"{actions.ValueKind}".ToLowerInvariant();
            return $"expected {players} actions (one per player slot), got {got}";
        }
        var width = Width(space);
        var result = new int[players * width];
        var slot = 0;
        foreach (var value in actions.EnumerateArray())
        {
            if (ParseSlot(value, space, $"actions[{slot}]", result.AsSpan(slot * width, width), null) is { } problem)
            {
                return problem;
            }
            slot++;
        }
        words = result;
        return null;
    }

    /// <summary>
    /// Why <paramref name="value"/> is not one slot's action; null when it is, with its words in <paramref name="words"/>
    /// (components it leaves out are 0) and, when <paramref name="present"/> is given, which components it named.
    /// </summary>
    public static string? ParseSlot(JsonElement value, ActionSpaceInfo space, string field, Span<int> words, Span<bool> present)
    {
        if (space.Components is not { } components)
        {
            if (!(value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var action)))
            {
                return $"{field} is {Show(value)}; expected an integer 0..{space.N - 1} (discrete)";
            }
            if (ActionCheck.Problem(action, space.N) is not null)
            {
                return $"{field} is {action}, outside the action space (discrete, 0..{space.N - 1})";
            }
            words[0] = action;
            if (!present.IsEmpty)
            {
                present[0] = true;
            }
            return null;
        }
        if (space.Type != "dict")
        {
            if (!present.IsEmpty)
            {
                present[0] = true;
            }
            return ParseComponent(value, components[0], field, words);
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            return $"{field} is {Show(value)}; expected an object of {string.Join(", ", components.Select(c => c.Name))}";
        }
        foreach (var member in value.EnumerateObject())
        {
            var index = Array.FindIndex(components, c => c.Name == member.Name);
            if (index < 0)
            {
                return $"{field}.{member.Name} is not a component of the action space ({string.Join(", ", components.Select(c => c.Name))})";
            }
            var offset = components.Take(index).Sum(ComponentWidth);
            if (ParseComponent(member.Value, components[index], $"{field}.{member.Name}", words.Slice(offset, ComponentWidth(components[index]))) is { } problem)
            {
                return problem;
            }
            if (!present.IsEmpty)
            {
                present[index] = true;
            }
        }
        return null;
    }

    /// <summary>Why <paramref name="words"/> are not one tick's packed actions; null when they are (the world's own check).</summary>
    public static string? Check(IReadOnlyList<int>? words, int players, ActionSpaceInfo space)
    {
        if (space.Components is not { } components)
        {
            return ActionCheck.Problem(words, players, space.N);
        }
        var width = Width(space);
        if (words is null || words.Count != players * width)
        {
            return $"expected {players * width} action words ({players} slots of {width}), got {words?.Count ?? 0}";
        }
        for (var slot = 0; slot < players; slot++)
        {
            var offset = slot * width;
            foreach (var c in components)
            {
                var field = space.Type == "dict" ? $"actions[{slot}].{c.Name}" : $"actions[{slot}]";
                for (var i = 0; i < ComponentWidth(c); i++)
                {
                    var word = words[offset + i];
                    var problem = c.Type switch
                    {
                        "discrete" => word >= 0 && word < c.N ? null : $"{field} is {word}, outside 0..{c.N - 1}",
                        "keys" => word is 0 or 1 ? null : $"{field}[{i}] ({c.Names[i]}) is {word}; a key is 0 or 1",
                        _ => BoxProblem(BitConverter.Int32BitsToSingle(word), c, i, field),
                    };
                    if (problem is not null)
                    {
                        return problem;
                    }
                }
                offset += ComponentWidth(c);
            }
        }
        return null;
    }

    /// <summary>A float32 box value's word.</summary>
    public static int Word(float value) => BitConverter.SingleToInt32Bits(value);

    /// <summary>The float32 a box word holds.</summary>
    public static float Float(int word) => BitConverter.Int32BitsToSingle(word);

    private static int ComponentWidth(ActionComponentInfo c) => c.Type == "discrete" ? 1 : c.N;

    private static string? ParseComponent(JsonElement value, ActionComponentInfo c, string field, Span<int> words)
    {
        switch (c.Type)
        {
            case "discrete":
                if (!(value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var action)) || action < 0 || action >= c.N)
                {
                    return $"{field} is {Show(value)}; expected an integer 0..{c.N - 1}";
                }
                words[0] = action;
                return null;
            case "keys":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return $"{field} is {Show(value)}; expected the keys held, e.g. [\"{c.Names[0]}\"] (keys: {string.Join(", ", c.Names)})";
                }
                words.Clear();
                var k = 0;
                foreach (var key in value.EnumerateArray())
                {
                    var index = key.ValueKind == JsonValueKind.String ? Array.IndexOf(c.Names, key.GetString()) : -1;
                    if (index < 0)
                    {
                        return $"{field}[{k}] is {Show(key)}, not a key of the space (keys: {string.Join(", ", c.Names)})";
                    }
                    words[index] = 1;
                    k++;
                }
                return null;
            default:
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != c.N)
                {
                    var got = value.ValueKind == JsonValueKind.Array ? $"{value.GetArrayLength()} values" : Show(value);
                    return $"{field} has {got}; expected {c.N} numbers ({string.Join(", ", c.Names)})";
                }
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out var f) || !float.IsFinite(f))
                    {
                        return $"{field}[{i}] ({c.Names[i]}) is {Show(item)}; expected a finite float32 number";
                    }
                    if (BoxProblem(f, c, i, field) is { } problem)
                    {
                        return problem;
                    }
                    words[i++] = Word(f);
                }
                return null;
        }
    }

    private static string? BoxProblem(float v, ActionComponentInfo c, int i, string field) =>
        float.IsNaN(v) || float.IsInfinity(v) ? $"{field}[{i}] ({c.Names[i]}) is {Number(v)}; expected a finite float32 number"
        : v < c.Low![i] || v > c.High![i] ? $"{field}[{i}] ({c.Names[i]}) is {Number(v)}, outside [{Number(c.Low![i])}, {Number(c.High![i])}]"
        : null;

    private static string Number(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 40 ? text : text[..37] + "...";
    }
}
