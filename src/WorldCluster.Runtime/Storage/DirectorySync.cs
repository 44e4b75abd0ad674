using System.Runtime.InteropServices;
using System.Text;

namespace WorldCluster.Runtime.Storage;

/// <summary>Flushes a directory's entries to disk, so a rename or delete in it survives a power loss; or a whole file system, for group commit.</summary>
/// <remarks>
/// fsync on a file makes its bytes durable, not the name that points at them; POSIX file systems need an fsync of the
/// directory too. .NET has no API for that, hence the libc calls. On Windows there is nothing to call: NTFS journals the rename.
/// </remarks>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>fsyncs <paramref name="directory"/>; throws <see cref="IOException"/> when the system reports a failure.</summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        Call(directory, Fsync, "directory flush");
    }

    /// <summary>Whether <see cref="SyncFileSystem"/> works here (Linux: <c>syncfs</c>, which reports write-back errors since 5.8).</summary>
    public static bool CanSyncFileSystem => OperatingSystem.IsLinux();

    /// <summary>Makes every byte written to the file system holding <paramref name="path"/> durable (<c>syncfs</c>); throws <see cref="IOException"/> on failure.</summary>
    public static void SyncFileSystem(string path) => Call(path, SyncFs, "file system flush");

    private static void Call(string path, Func<int, int> call, string what)
    {
        // A NUL-terminated UTF-8 byte array is what open(2) takes, with no string marshalling in between.
        var fd = Open(Encoding.UTF8.GetBytes(path + '\0'), ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open '{path}' for a {what} (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (call(fd) != 0)
            {
                throw new IOException($"The {what} of '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int SyncFs(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
