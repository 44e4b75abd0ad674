namespace WorldCluster.Runtime.Storage;

/// <summary>Settings of <see cref="LocalFileWorldStore"/>.</summary>
public sealed class LocalFileWorldStoreOptions
{
    /// <summary>The folder that holds <c>worlds/</c>, <c>snapshots/</c>, <c>locks/</c> and <c>trash/</c>; relative paths are resolved against the working directory.</summary>
    public string RootPath { get; set; } = "data";

    /// <summary>How long a head write, journal operation or delete waits for another writer of the same world before it gives up with <see cref="TimeoutException"/>.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
