using System.Text.RegularExpressions;

namespace WorldCluster.Models.Catalog;

/// <summary>How a request names a model: <c>name</c> (the latest version served) or <c>name@version</c>.</summary>
public static partial class ModelReference
{
    /// <summary>Splits a reference into its name and version (null when it names no version).</summary>
    public static (string Name, string? Version) Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (reference, null) : (reference[..at], reference[(at + 1)..]);
    }

    /// <summary>True for a valid model name: 1-64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>True for a valid version: <c>MAJOR.MINOR.PATCH</c> with an optional <c>-prerelease</c> (semantic versioning).</summary>
    public static bool IsValidVersion(string? version) => version is not null && VersionPattern().IsMatch(version);

    /// <summary>Orders versions as semantic versioning does (numbers numerically; a prerelease before its release).</summary>
    public static int CompareVersions(string a, string b)
    {
        var (coreA, preA) = SplitPrerelease(a);
        var (coreB, preB) = SplitPrerelease(b);
        var partsA = coreA.Split('.');
        var partsB = coreB.Split('.');
        for (var i = 0; i < Math.Max(partsA.Length, partsB.Length); i++)
        {
            var x = i < partsA.Length && long.TryParse(partsA[i], out var pa) ? pa : 0;
            var y = i < partsB.Length && long.TryParse(partsB[i], out var pb) ? pb : 0;
            if (x != y)
            {
                return x.CompareTo(y);
            }
        }
        return (preA, preB) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => string.CompareOrdinal(preA, preB),
        };
    }

    private static (string Core, string? Prerelease) SplitPrerelease(string version)
    {
        var dash = version.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? (version, null) : (version[..dash], version[(dash + 1)..]);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(-[0-9A-Za-z.-]{1,40})?$")]
    private static partial Regex VersionPattern();
}
