namespace WorldCluster.Runtime.Placement;

/// <summary>What a silo does, advertised to the cluster in its silo metadata.</summary>
public static class SiloRole
{
    /// <summary>Silo metadata key holding the role.</summary>
    public const string RoleKey = "worldcluster.role";

    /// <summary>Silo metadata key holding the served model names, comma-separated.</summary>
    public const string ModelsKey = "worldcluster.models";

    /// <summary>Hosts worlds and terminates client connections (the embedded default).</summary>
    public const string Both = "both";

    /// <summary>Hosts worlds of its models.</summary>
    public const string Model = "model";

    /// <summary>Terminates client connections only; hosts no worlds.</summary>
    public const string Gateway = "gateway";

    /// <summary>True for a role name this build knows.</summary>
    public static bool IsKnown(string role) => role is Both or Model or Gateway;

    /// <summary>The metadata a silo advertises for its role and models.</summary>
    public static Dictionary<string, string> Metadata(string role, IEnumerable<string> models) => new()
    {
        [RoleKey] = role,
        [ModelsKey] = string.Join(',', models),
    };
}
