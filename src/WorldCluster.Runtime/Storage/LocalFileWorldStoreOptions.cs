namespace WorldCluster.Runtime.Storage;

/// <summary>Settings of <see cref="LocalFileWorldStore"/>.</summary>
public sealed class LocalFileWorldStoreOptions
{
    /// <summary>The folder that holds <c>worlds/</c>, <c>snapshots/</c>, <c>locks/</c> and <c>trash/</c>; relative paths are resolved against the working directory.</summary>
    public string RootPath { get; set; } = "data";

    /// <summary>How long a head write, journal operation or delete waits for another writer of the same world before it gives up with <see cref="TimeoutException"/>.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether journal appends wait for one shared flush of the file system (Linux <c>syncfs</c>) instead of an <c>fsync</c> each; ignored elsewhere.</summary>
    public bool GroupCommit { get; set; } = true;
}
