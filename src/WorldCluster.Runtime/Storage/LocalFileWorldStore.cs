using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace WorldCluster.Runtime.Storage;

/// <summary>The embedded world store: one folder per world on a local file system, atomic conditional writes (docs/storage.md).</summary>
/// <remarks>
/// Layout: <c>&lt;root&gt;/worlds/&lt;id&gt;/snapshot.safetensors</c>, and <c>&lt;root&gt;/locks/&lt;id&gt;.lock</c> for writers.
/// The ETag is the lowercase hex SHA-256 of the snapshot file's bytes, so it always describes exactly the content read and
/// needs no second file that could disagree with it. Writes and deletes hold the world's lock file while they compare the
/// ETag and rename a fully written, fsynced temporary file over the snapshot; reads take no lock and see the old file or the
/// new one, never a mix.
/// </remarks>
public sealed class LocalFileWorldStore : IWorldStore
{
    private const string SnapshotFileName = "snapshot.safetensors";
    private const string TempFileSuffix = ".tmp";

    private readonly string _worldsPath;
    private readonly string _locksPath;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a store over <see cref="LocalFileWorldStoreOptions.RootPath"/>; folders are created on first write.</summary>
    /// <exception cref="InvalidOperationException">File locking is switched off in this process, so writes could not be conditional.</exception>
    public LocalFileWorldStore(LocalFileWorldStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.RootPath, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LockTimeout, TimeSpan.Zero, nameof(options));
        if (FileLockingDisabled())
        {
            throw new InvalidOperationException(
                "File locking is disabled (DOTNET_SYSTEM_IO_DISABLEFILELOCKING / System.IO.DisableFileLocking); the local world store needs it for conditional writes.");
        }
        var root = Path.GetFullPath(options.RootPath);
        _worldsPath = Path.Combine(root, "worlds");
        _locksPath = Path.Combine(root, "locks");
        _lockTimeout = options.LockTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async Task<StoredSnapshot?> ReadSnapshotAsync(string worldId, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        var content = await ReadIfExistsAsync(SnapshotPath(worldId), cancellationToken);
        return content is null ? null : new StoredSnapshot(content, ETagOf(content));
    }

    /// <inheritdoc/>
    public async Task<string> WriteSnapshotAsync(string worldId, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        using var worldLock = await LockAsync(worldId, cancellationToken);
        var directory = WorldPath(worldId);
        var target = SnapshotPath(worldId);
        var current = await ETagOfFileAsync(target, cancellationToken);
        if (current != ifMatch)
        {
            throw new WorldStoreConflictException(worldId, ifMatch, current);
        }

        var created = !Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        RemoveTempFiles(directory);
        var temp = Path.Combine(directory, $"{SnapshotFileName}.{Guid.NewGuid():N}{TempFileSuffix}");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            // Past this point the new snapshot is in place, so nothing below may honour cancellation.
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        DirectorySync.Flush(directory);
        if (created)
        {
            DirectorySync.Flush(_worldsPath);
        }
        return ETagOf(content.Span);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListWorldsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Directory listing blocks; keep it off the caller's (possibly a grain's) scheduler.
        var ids = await Task.Run(ListWorldIds, cancellationToken);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteWorldAsync(string worldId, string? ifMatch, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        using var worldLock = await LockAsync(worldId, cancellationToken);
        var directory = WorldPath(worldId);
        var current = await ETagOfFileAsync(SnapshotPath(worldId), cancellationToken);
        if (current is null)
        {
            return false;
        }
        if (ifMatch is not null && ifMatch != current)
        {
            throw new WorldStoreConflictException(worldId, ifMatch, current);
        }
        File.Delete(SnapshotPath(worldId));
        RemoveTempFiles(directory);
        try
        {
            Directory.Delete(directory);
        }
        catch (IOException)
        {
            // Someone put other files there; the world is gone all the same (listing looks for the snapshot).
        }
        DirectorySync.Flush(_worldsPath);
        return true;
    }

    private string WorldPath(string worldId) => Path.Combine(_worldsPath, worldId);

    private string SnapshotPath(string worldId) => Path.Combine(_worldsPath, worldId, SnapshotFileName);

    private Task<WorldLockFile> LockAsync(string worldId, CancellationToken cancellationToken) =>
        WorldLockFile.AcquireAsync(Path.Combine(_locksPath, worldId + ".lock"), worldId, _lockTimeout, _timeProvider, cancellationToken);

    private List<string> ListWorldIds()
    {
        if (!Directory.Exists(_worldsPath))
        {
            return [];
        }
        return [.. Directory.EnumerateDirectories(_worldsPath)
            .Select(folder => Path.GetFileName(folder))
            .Where(id => WorldId.IsValid(id) && File.Exists(SnapshotPath(id)))
            .Order(StringComparer.Ordinal)];
    }

    private static async Task<string?> ETagOfFileAsync(string path, CancellationToken cancellationToken)
    {
        var content = await ReadIfExistsAsync(path, cancellationToken);
        return content is null ? null : ETagOf(content);
    }

    private static async Task<byte[]?> ReadIfExistsAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            // FileShare.Delete lets a writer rename over the file while it is read (Windows); the reader keeps the old content.
            await using var stream = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, cancellationToken);
            return content;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // Temporary files are written only under the world's lock, so any found while holding it were left by a crashed writer.
    private static void RemoveTempFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(directory, SnapshotFileName + ".*" + TempFileSuffix))
        {
            File.Delete(file);
        }
    }

    private static string ETagOf(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static bool FileLockingDisabled()
    {
        if (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        {
            return true;
        }
        var variable = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING");
        return variable is not null && (variable == "1" || variable.Equals("true", StringComparison.OrdinalIgnoreCase));
    }
}
