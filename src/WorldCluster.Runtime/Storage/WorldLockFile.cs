namespace WorldCluster.Runtime.Storage;

/// <summary>An exclusive lock on one world's lock file, held across threads and processes for a check-and-replace.</summary>
/// <remarks>
/// <see cref="FileShare.None"/> is an exclusive <c>flock</c> on Unix and a share-mode lock on Windows; both belong to the open
/// handle, so two handles in one process exclude each other just as two processes do, and the operating system drops the
/// lock when a process dies. Lock files are never deleted: deleting one while another writer waits on it would let two
/// writers lock two different files of the same name.
/// </remarks>
internal sealed class WorldLockFile : IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(20);

    private readonly FileStream _handle;

    private WorldLockFile(FileStream handle) => _handle = handle;

    /// <summary>Takes the lock, retrying while another handle holds it, until <paramref name="timeout"/> has passed.</summary>
    public static async Task<WorldLockFile> AcquireAsync(
        string path, string worldId, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var started = timeProvider.GetTimestamp();
        var delay = FirstRetryDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new WorldLockFile(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0));
            }
            catch (IOException e) when (IsSharingViolation(e))
            {
                var left = timeout - timeProvider.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"World '{worldId}' stayed locked by another writer for {timeout.TotalSeconds:0.###} s ({path}).", e);
                }
                await Task.Delay(delay < left ? delay : left, timeProvider, cancellationToken);
                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
            }
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _handle.Dispose();

    // Unix reports a held flock as EWOULDBLOCK (11 on Linux, 35 on macOS); Windows as ERROR_SHARING_VIOLATION (32) or
    // ERROR_LOCK_VIOLATION (33) in the low word of the HRESULT. Anything else (no space, no permission) is not worth a retry.
    private static bool IsSharingViolation(IOException e) =>
        e.GetType() == typeof(IOException) && (e.HResult & 0xFFFF) is 11 or 35 or 32 or 33;
}
