using System.Runtime.InteropServices;

namespace WorldCluster.Models.Torch;

/// <summary>
/// What the C allocator (glibc malloc, which libtorch's CPU tensors and every other native library here allocate from)
/// holds: bytes in live allocations, and bytes taken from the operating system. A native leak raises the first; arenas
/// that fill up and keep freed memory raise only the second.
/// </summary>
public static partial class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Bytes in live native allocations and bytes the allocator holds, or null where glibc's <c>mallinfo2</c> is missing (another libc, another OS).</summary>
    public static (long InUse, long Held)? Read()
    {
        if (_unavailable)
        {
            return null;
        }
        try
        {
            var info = MallInfo2();
            // Small blocks come from the arenas (arena: held, uordblks: in use); large ones are mmapped one by one (hblkhd: both).
            return ((long)(info.Uordblks + info.Hblkhd), (long)(info.Arena + info.Hblkhd));
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // musl and glibc before 2.33 have no mallinfo2; stop asking.
            _unavailable = true;
            return null;
        }
    }

    /// <summary>Caps glibc's malloc arenas at <paramref name="arenas"/> through <c>mallopt(M_ARENA_MAX)</c>.</summary>
    /// <returns>Whether glibc took the cap (false on another libc or OS).</returns>
    /// <remarks>Arenas already made stay; the cap stops new ones, so call it before the first model step.</remarks>
    public static bool CapArenas(int arenas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arenas, 1);
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return MallOpt(ArenaMaxParameter, arenas) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // musl and others: no arenas to cap
        }
    }

    /// <summary>Gives the whole free pages glibc malloc keeps in its arenas back to the operating system (<c>malloc_trim(0)</c>).</summary>
    /// <returns>Whether any memory was released (false on another libc or OS).</returns>
    /// <remarks>The arenas keep their extent (<see cref="Read"/>'s held bytes); resident memory is what drops.</remarks>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return MallocTrim(0) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    private const int ArenaMaxParameter = -8; // M_ARENA_MAX in glibc's malloc.h

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo MallInfo2();

    // glibc's struct mallinfo2: ten size_t fields.
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallInfo
    {
        public readonly nuint Arena;
        public readonly nuint Ordblks;
        public readonly nuint Smblks;
        public readonly nuint Hblks;
        public readonly nuint Hblkhd;
        public readonly nuint Usmblks;
        public readonly nuint Fsmblks;
        public readonly nuint Uordblks;
        public readonly nuint Fordblks;
        public readonly nuint Keepcost;
    }
}
