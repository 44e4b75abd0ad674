using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using WorldCluster.Contracts;

namespace WorldCluster.Runtime.Storage;

/// <summary>The embedded world store: heads, snapshots and journals as files on a local file system (docs/storage.md).</summary>
/// <remarks>
/// Layout under the root: <c>worlds/&lt;id&gt;/head.json</c>, <c>worlds/&lt;id&gt;/journal/&lt;segment&gt;.wcj</c>,
/// <c>snapshots/&lt;hash[0..2]&gt;/&lt;hash&gt;.safetensors</c>, and <c>locks/&lt;id&gt;.lock</c> for writers.
/// A head's ETag is the lowercase hex SHA-256 of its bytes, so it always describes exactly the content read and needs no
/// second file that could disagree with it. Head writes, journal appends and deletes hold the world's lock file while they
/// compare and change; head replacement renames a fully written, fsynced temporary file, so readers see the old head or the
/// new one, never a mix. Snapshots need no lock: equal names mean equal bytes, so concurrent puts of one hash are harmless.
/// </remarks>
public sealed class LocalFileWorldStore : IWorldStore
{
    private const string HeadFileName = "head.json";
    private const string JournalFolderName = "journal";
    private const string JournalExtension = ".wcj";
    private const string SnapshotExtension = ".safetensors";
    private const string TempFileSuffix = ".tmp";

    private readonly string _root;
    private readonly string _worldsPath;
    private readonly string _snapshotsPath;
    private readonly string _locksPath;
    private readonly string _trashPath;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly JournalGroupCommit? _groupCommit;

    /// <summary>Creates a store over <see cref="LocalFileWorldStoreOptions.RootPath"/>; folders are created on first write.</summary>
    /// <exception cref="InvalidOperationException">File locking is switched off in this process, so writes could not be conditional.</exception>
    public LocalFileWorldStore(LocalFileWorldStoreOptions options, TimeProvider? timeProvider = null)
        : this(options, timeProvider, groupFlush: null)
    {
    }

    /// <summary>As the public constructor, with the flush group commit runs (tests make it fail); null: <c>syncfs</c> of the root.</summary>
    internal LocalFileWorldStore(LocalFileWorldStoreOptions options, TimeProvider? timeProvider, Action? groupFlush)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.RootPath, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LockTimeout, TimeSpan.Zero, nameof(options));
        if (FileLockingDisabled())
        {
            throw new InvalidOperationException(
                "File locking is disabled (DOTNET_SYSTEM_IO_DISABLEFILELOCKING / System.IO.DisableFileLocking); the local world store needs it for conditional writes.");
        }
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.RootPath));
        _worldsPath = Path.Combine(_root, "worlds");
        _snapshotsPath = Path.Combine(_root, "snapshots");
        _locksPath = Path.Combine(_root, "locks");
        _trashPath = Path.Combine(_root, "trash");
        _lockTimeout = options.LockTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _groupCommit = options.GroupCommit && DirectorySync.CanSyncFileSystem
            ? new JournalGroupCommit(groupFlush ?? (() => DirectorySync.SyncFileSystem(_root)))
            : null;
    }

    /// <summary>Whether journal appends share file-system flushes (<see cref="LocalFileWorldStoreOptions.GroupCommit"/> on Linux).</summary>
    public bool GroupCommit => _groupCommit is not null;

    /// <inheritdoc/>
    public async Task<StoredHead?> ReadHeadAsync(string worldId, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        var content = await ReadIfExistsAsync(HeadPath(worldId), cancellationToken);
        return content is null ? null : new StoredHead(content, ETagOf(content));
    }

    /// <inheritdoc/>
    public async Task<string> WriteHeadAsync(string worldId, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        using var worldLock = await LockAsync(worldId, cancellationToken);
        var directory = WorldPath(worldId);
        var target = HeadPath(worldId);
        var current = await ETagOfFileAsync(target, cancellationToken);
        if (current != ifMatch)
        {
            // An update whose answer was lost (the caller saw a failure after the rename) finds its own bytes on retry:
            // the same content is the same world. Creating an existing head stays a conflict.
            if (ifMatch is not null && current is not null && current == ETagOf(content.Span))
            {
                return current;
            }
            throw new WorldStoreConflictException(worldId, ifMatch, current);
        }

        CreateDirectoryDurably(directory);
        RemoveTempFiles(directory, HeadFileName);
        // Past the rename the new head is in place, so nothing after it may honour cancellation.
        await ReplaceAtomicallyAsync(directory, HeadFileName, target, content, cancellationToken);
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
    /// <remarks>
    /// The world's folder (head and journal) leaves the <c>worlds</c> folder in one rename, so a crash never leaves half a
    /// world; it is then removed from <c>trash</c>. Without a head, journal segments left there (appended before a head was
    /// written) are removed too, and the answer is false.
    /// </remarks>
    public async Task<bool> DeleteWorldAsync(string worldId, string? ifMatch, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        using var worldLock = await LockAsync(worldId, cancellationToken);
        var current = await ETagOfFileAsync(HeadPath(worldId), cancellationToken);
        if (current is not null && ifMatch is not null && ifMatch != current)
        {
            throw new WorldStoreConflictException(worldId, ifMatch, current);
        }
        var directory = WorldPath(worldId);
        if (Directory.Exists(directory))
        {
            CreateDirectoryDurably(_trashPath);
            var trashed = Path.Combine(_trashPath, $"{worldId}.{Guid.NewGuid():N}");
            Directory.Move(directory, trashed);
            DirectorySync.Flush(_worldsPath);
            EmptyTrash();
        }
        return current is not null;
    }

    /// <inheritdoc/>
    public async Task PutSnapshotAsync(string hash, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        WorldStoreKeys.ThrowIfInvalidHash(hash);
        WorldStoreKeys.ThrowIfNotContentOf(hash, content.Span);
        var target = SnapshotPath(hash);
        if (File.Exists(target))
        {
            return;
        }
        var directory = Path.GetDirectoryName(target)!;
        CreateDirectoryDurably(directory);
        // A concurrent put of the same hash may win the race; its bytes are these bytes, so replacing them is harmless.
        await ReplaceAtomicallyAsync(directory, hash, target, content, cancellationToken);
    }

    // Writes a temp file beside the target, flushes it, renames it over the target and flushes the folder.
    private static async Task ReplaceAtomicallyAsync(string directory, string name, string target, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(directory, $"{name}.{Guid.NewGuid():N}{TempFileSuffix}");
        await WriteNewFileAsync(temp, content, cancellationToken);
        try
        {
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        DirectorySync.Flush(directory);
    }

    /// <inheritdoc/>
    public Task<byte[]?> ReadSnapshotAsync(string hash, CancellationToken cancellationToken = default)
    {
        WorldStoreKeys.ThrowIfInvalidHash(hash);
        return ReadIfExistsAsync(SnapshotPath(hash), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The length check and the append happen under the world's lock, and a failed write is cut back to the expected length.
    /// A crash (of the process or the machine) in the middle of an append can still leave part of it at the end of the file:
    /// the store cannot know record boundaries, so the journal's own framing and checksums must detect such a torn tail.
    /// </remarks>
    public async Task<long> AppendJournalAsync(
        string worldId, string segment, ReadOnlyMemory<byte> records, long expectedLength, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        WorldStoreKeys.ThrowIfInvalidAppend(records, expectedLength);
        using var worldLock = await LockAsync(worldId, cancellationToken);
        var directory = JournalPath(worldId);
        var path = SegmentPath(worldId, segment);
        var existed = File.Exists(path);
        if (!existed && expectedLength != 0)
        {
            throw new WorldStoreConflictException(worldId, segment, expectedLength, actualLength: null);
        }

        CreateDirectoryDurably(directory);
        await using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous))
        {
            if (stream.Length != expectedLength)
            {
                // An append whose answer was lost (a failed flush after the write) finds its own records on retry, maybe
                // with more queued behind them by then: if what follows our position starts these records, write the rest.
                var landed = stream.Length - expectedLength;
                if (landed <= 0 || landed > records.Length || !await EndsWithAsync(path, expectedLength, records[..(int)landed], cancellationToken))
                {
                    throw new WorldStoreConflictException(worldId, segment, expectedLength, stream.Length);
                }
                records = records[(int)landed..];
                expectedLength = stream.Length;
            }
            stream.Position = expectedLength;
            try
            {
                // Once bytes start to go out, finish: a cancelled half append would only have to be cut back again.
                await stream.WriteAsync(records, CancellationToken.None);
                if (_groupCommit is null)
                {
                    stream.Flush(flushToDisk: true);
                }
            }
            catch
            {
                stream.SetLength(expectedLength);
                stream.Flush(flushToDisk: true);
                throw;
            }
        }
        if (!existed)
        {
            DirectorySync.Flush(directory);
        }
        if (_groupCommit is not null)
        {
            try
            {
                // Still under the world's lock: no other append of this world can start before this one is durable.
                await _groupCommit.WhenDurableAsync();
            }
            catch (IOException)
            {
                await using var cut = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete);
                cut.SetLength(expectedLength);
                cut.Flush(flushToDisk: true);
                throw;
            }
        }
        return expectedLength + records.Length;
    }

    /// <inheritdoc/>
    public async Task<byte[]?> ReadJournalAsync(string worldId, string segment, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        var path = SegmentPath(worldId, segment);
        if (!File.Exists(path))
        {
            return null;
        }
        // Under the lock a read never sees part of an append in progress.
        using var worldLock = await LockAsync(worldId, cancellationToken);
        return await ReadIfExistsAsync(path, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteJournalAsync(string worldId, string segment, CancellationToken cancellationToken = default)
    {
        WorldId.ThrowIfInvalid(worldId);
        WorldStoreKeys.ThrowIfInvalidSegment(segment);
        var path = SegmentPath(worldId, segment);
        if (!File.Exists(path))
        {
            return false;
        }
        using var worldLock = await LockAsync(worldId, cancellationToken);
        if (!File.Exists(path))
        {
            return false;
        }
        File.Delete(path);
        DirectorySync.Flush(JournalPath(worldId));
        return true;
    }

    /// <inheritdoc/>
    /// <remarks>The sizes of the files under <c>worlds</c> and <c>snapshots</c>, without temporary files.</remarks>
    public Task<long> GetStoredBytesAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => SizeOf(new DirectoryInfo(_worldsPath)) + SizeOf(new DirectoryInfo(_snapshotsPath)), cancellationToken);

    private string WorldPath(string worldId) => Path.Combine(_worldsPath, worldId);

    private string HeadPath(string worldId) => Path.Combine(_worldsPath, worldId, HeadFileName);

    private string JournalPath(string worldId) => Path.Combine(_worldsPath, worldId, JournalFolderName);

    private string SegmentPath(string worldId, string segment) => Path.Combine(_worldsPath, worldId, JournalFolderName, segment + JournalExtension);

    private string SnapshotPath(string hash) => Path.Combine(_snapshotsPath, hash[..2], hash + SnapshotExtension);

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
            .Where(id => WorldId.IsValid(id) && File.Exists(HeadPath(id)))
            .Order(StringComparer.Ordinal)];
    }

    // Creates the folder and any missing parents up to the root, and fsyncs the parent of each one created, so that a
    // file later made durable inside it is also reachable after a power loss.
    private void CreateDirectoryDurably(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        var parent = Path.GetDirectoryName(directory)!;
        if (directory == _root)
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            CreateDirectoryDurably(parent);
            Directory.CreateDirectory(directory);
        }
        DirectorySync.Flush(parent);
    }

    // Folders in trash are whole worlds already unlinked from worlds/: whatever is left there (by this delete or a crashed
    // one) is garbage. Another process may be emptying the same folder, so a folder vanishing underneath is fine.
    private void EmptyTrash()
    {
        foreach (var folder in Directory.EnumerateDirectories(_trashPath))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next delete.
            }
        }
    }

    private static async Task WriteNewFileAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
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

    // Temporary heads are written only under the world's lock, so any found while holding it were left by a crashed writer.
    private static void RemoveTempFiles(string directory, string fileName)
    {
        foreach (var file in Directory.EnumerateFiles(directory, fileName + ".*" + TempFileSuffix))
        {
            File.Delete(file);
        }
    }

    // Worlds are deleted and files replaced while this runs: what vanishes underneath simply no longer counts.
    private static long SizeOf(DirectoryInfo directory)
    {
        long total = 0;
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = [.. directory.EnumerateFileSystemInfos()];
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
        foreach (var entry in entries)
        {
            if (entry is DirectoryInfo folder)
            {
                total += SizeOf(folder);
            }
            else if (entry is FileInfo file && !file.Name.EndsWith(TempFileSuffix, StringComparison.Ordinal))
            {
                try
                {
                    total += file.Length;
                }
                catch (FileNotFoundException)
                {
                }
            }
        }
        return total;
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

    private static async Task<bool> EndsWithAsync(string path, long offset, ReadOnlyMemory<byte> records, CancellationToken cancellationToken)
    {
        var tail = new byte[records.Length];
        await using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
        read.Position = offset;
        await read.ReadExactlyAsync(tail, cancellationToken);
        return records.Span.SequenceEqual(tail);
    }
}
