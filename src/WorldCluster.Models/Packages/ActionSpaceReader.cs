using System.Globalization;
using WorldCluster.Models.Contract;
using Entry = WorldCluster.Models.Packages.ModelPackageManifest.ActionSpaceEntry;

namespace WorldCluster.Models.Packages;

/// <summary>Reads a manifest's <c>actionSpace</c>; every problem names the field.</summary>
internal static class ActionSpaceReader
{
    private const int MaxDiscrete = 65536;
    private const int MaxNames = 64;
    private const int MaxComponents = 16;
    private const int MaxNameLength = 32;

    /// <summary>The space <paramref name="json"/> declares.</summary>
    public static ActionSpace Read(Entry? json, Func<string, ModelPackageException> fail)
    {
        var space = json ?? throw fail("'actionSpace' is missing ({ \"type\": \"discrete\", \"n\", \"names\" })");
        const string field = "actionSpace";
        switch (space.Type)
        {
            case ActionSpace.DiscreteType:
                NoMembers(space, field, fail, nameof(Entry.Name), nameof(Entry.Low), nameof(Entry.High), nameof(Entry.Merge), nameof(Entry.Components));
                var n = DiscreteCount(space, field, fail);
                return new ActionSpace(ActionSpace.DiscreteType, n, DiscreteNames(space, n, field, fail));
            case "keys" or "box":
                NoMembers(space, field, fail, nameof(Entry.Name), nameof(Entry.Components));
                return ActionSpace.Structured(space.Type, Component(space, space.Type, field, fail));
            case ActionSpace.DictType:
                NoMembers(space, field, fail, nameof(Entry.N), nameof(Entry.Names), nameof(Entry.Low), nameof(Entry.High), nameof(Entry.Merge), nameof(Entry.Name));
                if (space.Components is not { Count: >= 1 and <= MaxComponents } components)
                {
                    throw fail($"'{field}.components' has {space.Components?.Count ?? 0} entries; a dict space needs 1..{MaxComponents} components");
                }
                var read = components.Select((c, i) => Component(c ?? throw fail($"'{field}.components[{i}]' is null"), c.Name, $"{field}.components[{i}]", fail)).ToArray();
                if (read.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                {
                    throw fail($"'{field}.components' names '{twice.Key}' twice");
                }
                return ActionSpace.Structured(ActionSpace.DictType, read);
            default:
                throw fail($"'{field}.type' is {Show(space.Type)}; use discrete, keys, box or dict");
        }
    }

    private static ActionComponent Component(Entry c, string? name, string field, Func<string, ModelPackageException> fail)
    {
        if (c.Components is not null)
        {
            throw fail($"'{field}.components' is not allowed here: dict spaces do not nest");
        }
        if (!ValidName(name))
        {
            throw fail($"'{field}.name' is {Show(name)}; give each component a name of 1-{MaxNameLength} letters, digits, '_' or '-'");
        }
        switch (c.Type)
        {
            case ActionSpace.DiscreteType:
                NoMembers(c, field, fail, nameof(Entry.Low), nameof(Entry.High));
                var n = DiscreteCount(c, field, fail);
                return new ActionComponent(name!, ActionKind.Discrete, DiscreteNames(c, n, field, fail), n, [], [], Merge(c, field, ActionMerge.Tick, fail));
            case "keys":
                NoMembers(c, field, fail, nameof(Entry.N), nameof(Entry.Low), nameof(Entry.High));
                var keys = Names(c, field, fail);
                return new ActionComponent(name!, ActionKind.Keys, keys, keys.Length, [], [], Merge(c, field, ActionMerge.Latest, fail));
            case "box":
                NoMembers(c, field, fail, nameof(Entry.N));
                var dims = Names(c, field, fail);
                var low = Bounds(c.Low, dims.Length, $"{field}.low", fail);
                var high = Bounds(c.High, dims.Length, $"{field}.high", fail);
                for (var i = 0; i < dims.Length; i++)
                {
                    if (!(low[i] <= 0 && high[i] >= 0 && low[i] < high[i]))
                    {
                        throw fail($"'{field}' dimension '{dims[i]}' has low {Number(low[i])} and high {Number(high[i])}; need low <= 0 <= high and low < high (0 is the no-op)");
                    }
                }
                return new ActionComponent(name!, ActionKind.Box, dims, dims.Length, low, high, Merge(c, field, ActionMerge.Latest, fail));
            default:
                throw fail($"'{field}.type' is {Show(c.Type)}; a component is discrete, keys or box");
        }
    }

    private static int DiscreteCount(Entry e, string field, Func<string, ModelPackageException> fail) =>
        e.N is >= 1 and <= MaxDiscrete ? e.N.Value
            : throw fail($"'{field}.n' is {Show(e.N)}; a discrete space needs 1..{MaxDiscrete} actions (action 0 is the no-op)");

    private static string[] DiscreteNames(Entry e, int n, string field, Func<string, ModelPackageException> fail)
    {
        if (e.Names is { } names && names.Count != n)
        {
            throw fail($"'{field}.names' has {names.Count} names for {n} actions");
        }
        return e.Names is { } given ? [.. given] : [.. Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    }

    private static string[] Names(Entry e, string field, Func<string, ModelPackageException> fail)
    {
        if (e.Names is not { Count: >= 1 and <= MaxNames } names)
        {
            throw fail($"'{field}.names' has {e.Names?.Count ?? 0} names; {e.Type} needs 1..{MaxNames}");
        }
        if (names.Any(n => !ValidName(n)))
        {
            throw fail($"'{field}.names' has {Show(names.First(n => !ValidName(n)))}; use names of 1-{MaxNameLength} letters, digits, '_' or '-'");
        }
        return names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? throw fail($"'{field}.names' has '{twice.Key}' twice")
            : [.. names];
    }

    private static float[] Bounds(IReadOnlyList<float>? values, int count, string field, Func<string, ModelPackageException> fail)
    {
        if (values is null || values.Count != count)
        {
            throw fail($"'{field}' has {values?.Count ?? 0} values; give one per name ({count})");
        }
        return values.Any(v => !float.IsFinite(v))
            ? throw fail($"'{field}' has {Number(values.First(v => !float.IsFinite(v)))}; bounds must be finite float32 values")
            : [.. values];
    }

    private static ActionMerge Merge(Entry e, string field, ActionMerge fallback, Func<string, ModelPackageException> fail) => e.Merge switch
    {
        null => fallback,
        "tick" => ActionMerge.Tick,
        "latest" => ActionMerge.Latest,
        "sum" when e.Type == "box" => ActionMerge.Sum,
        _ => throw fail($"'{field}.merge' is {Show(e.Merge)}; use tick or latest{(e.Type == "box" ? " or sum" : "")}"),
    };

    // A member that has no meaning for the type is refused, so a typo never silently means something else.
    private static void NoMembers(Entry e, string field, Func<string, ModelPackageException> fail, params string[] members)
    {
        foreach (var member in members)
        {
            var value = typeof(Entry).GetProperty(member)!.GetValue(e);
            if (value is not null)
            {
                throw fail($"'{field}.{char.ToLowerInvariant(member[0])}{member[1..]}' is not allowed for a {e.Type} space");
            }
        }
    }

    private static bool ValidName(string? name) =>
        name is { Length: >= 1 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static string Number(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Show<T>(T? value) => value is null ? "missing" : $"'{value}'";
}
