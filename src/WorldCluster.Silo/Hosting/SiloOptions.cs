namespace WorldCluster.Silo.Hosting;

/// <summary>Where this silo keeps its data and how it joins its cluster (section <c>WorldCluster</c>; <c>--data</c> sets the folder).</summary>
public sealed class SiloOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster";

    /// <summary><c>both</c> (hosts worlds and clients; the embedded default), <c>model</c> (hosts worlds) or <c>gateway</c> (clients only).</summary>
    public string Role { get; set; } = "both";

    /// <summary>Folder for world data (the local-file store); relative paths are under the working directory.</summary>
    public string Data { get; set; } = "data";

    /// <summary>The full path of the data folder: <c>--data</c>, else <c>WorldCluster:Data</c>, else <c>data</c>.</summary>
    public static string DataRoot(IConfiguration configuration) =>
        Path.GetFullPath(configuration["data"] ?? configuration[$"{SectionName}:Data"] ?? "data");

    /// <summary>Orleans silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id.</summary>
    public string ClusterId { get; set; } = "worldcluster-local";

    /// <summary>Orleans service id: keep it stable, stored grain data is keyed by it.</summary>
    public string ServiceId { get; set; } = "worldcluster";

    /// <summary>Threads libtorch may use for one model call (0: one per core).</summary>
    public int TorchThreads { get; set; }

    /// <summary>The thread pool's minimum worker threads, so blocking journal flushes do not starve grain turns (0: .NET's default).</summary>
    public int MinWorkerThreads { get; set; } = 64;

    /// <summary>The most glibc malloc arenas native code may use (0: glibc's default, 8 per core); <c>MALLOC_ARENA_MAX</c> wins.</summary>
    public int MallocArenas { get; set; }

    /// <summary>How often free pages of glibc's heap go back to the operating system (zero: never).</summary>
    public TimeSpan NativeHeapTrimInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Where worlds are stored.</summary>
    public StoreOptions Store { get; set; } = new();

    /// <summary>How silos find each other.</summary>
    public ClusteringOptions Clustering { get; set; } = new();

    /// <summary>Which grain directory the cluster uses (section <c>WorldCluster:Directory</c>, which also binds Orleans' <c>GrainDirectoryOptions</c>).</summary>
    public DirectoryOptions Directory { get; set; } = new();

    /// <summary>The address other silos and clients reach this silo at (with <c>azure-table</c> clustering); <c>POD_IP</c> on Kubernetes.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Refuses settings no silo can run with, naming the configuration key (a silo stops before it starts).</summary>
    /// <exception cref="InvalidOperationException">A count or interval is negative.</exception>
    public void Validate()
    {
        NotNegative(nameof(TorchThreads), TorchThreads);
        NotNegative(nameof(MinWorkerThreads), MinWorkerThreads);
        NotNegative(nameof(MallocArenas), MallocArenas);
        if (Directory.Kind is not ("distributed" or "local"))
        {
            throw new InvalidOperationException($"{SectionName}:Directory:Kind is '{Directory.Kind}'; use 'distributed' or 'local'");
        }
        if (NativeHeapTrimInterval < TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"{SectionName}:{nameof(NativeHeapTrimInterval)} is {NativeHeapTrimInterval}; use a positive interval such as 00:01:00, or 00:00:00 for never");
        }
    }

    private static void NotNegative(string key, int value)
    {
        if (value < 0)
        {
            throw new InvalidOperationException($"{SectionName}:{key} is {value}; use 0 for the default or a positive count");
        }
    }
}

/// <summary>Orleans' grain directory (section <c>WorldCluster:Directory</c>).</summary>
public sealed class DirectoryOptions
{
    /// <summary>
    /// <c>distributed</c> (the default: directory partitions are handed over when a silo stops and recovered when it dies,
    /// so other silos' worlds stay active) or <c>local</c> (Orleans' classic directory, which deactivates the worlds whose
    /// directory entry the leaving silo held). Every silo of a cluster must use the same one: change it with a full stop,
    /// not a rolling upgrade (docs/operations.md).
    /// </summary>
    public string Kind { get; set; } = "distributed";
}

/// <summary>How a silo joins its cluster (section <c>WorldCluster:Clustering</c>).</summary>
public sealed class ClusteringOptions
{
    /// <summary><c>localhost</c> (one machine; the embedded default) or <c>azure-table</c> (Azure Table Storage membership).</summary>
    public string Kind { get; set; } = "localhost";

    /// <summary>Azure Storage connection string for <c>azure-table</c> (the same account can hold the worlds).</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>Which world store a silo uses (section <c>WorldCluster:Store</c>).</summary>
public sealed class StoreOptions
{
    /// <summary><c>files</c> (the data folder; the embedded default) or <c>azure-blob</c>.</summary>
    public string Kind { get; set; } = "files";

    /// <summary>Azure Storage connection string (for <c>azure-blob</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Blob container (for <c>azure-blob</c>).</summary>
    public string Container { get; set; } = "worldcluster";

    /// <summary>With <c>files</c> on Linux: journal appends share one flush of the file system (<c>syncfs</c>) instead of an <c>fsync</c> each.</summary>
    public bool GroupCommit { get; set; } = true;
}
