using Fanout.Interop;

namespace Fanout;

/// <summary>
/// The descriptors above 2 this process holds without close-on-exec, which exec alone would pass
/// to every child: those it inherited (found once, from <c>/proc/self/fd</c>) and the caller's
/// handles given to a child (<see cref="Stdio.FromHandle"/>, passed handles) that lack the flag.
/// Everything .NET and Fanout open is close-on-exec, so the list is usually empty. A number may
/// stay listed after its descriptor is closed; closing it again in a child does no harm.
/// </summary>
internal static class StrayDescriptors
{
    private static readonly Lock Gate = new();

    // Found at the first use; null when /proc cannot be read.
    private static int[]? s_known = FindInherited();

    /// <summary>Every stray known, or null when <c>/proc</c> cannot be read: then a child must close everything from 3 up.</summary>
    internal static int[]? Current => Volatile.Read(ref s_known);

    /// <summary>Lists <paramref name="fd"/>, a caller's descriptor about to be given to a child, when it lacks close-on-exec.</summary>
    internal static void Note(int fd)
    {
        if (fd <= 2 || Libc.fcntl(fd, Libc.F_GETFD, 0) is var flags && (flags < 0 || (flags & Libc.FD_CLOEXEC) != 0))
            return;
        lock (Gate)
        {
            // Without /proc every spawn closes from 3 up anyway: nothing to list.
            if (s_known is { } known && Array.IndexOf(known, fd) < 0)
                Volatile.Write(ref s_known, [.. known, fd]);
        }
    }

    private static int[]? FindInherited()
    {
        try
        {
            List<int> strays = [];
            foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                // The enumeration's own descriptor is close-on-exec and gone by the time it is used.
                if (int.TryParse(Path.GetFileName(entry), out var fd) && fd > 2 && Libc.fcntl(fd, Libc.F_GETFD, 0) is var flags && flags >= 0 && (flags & Libc.FD_CLOEXEC) == 0)
                    strays.Add(fd);
            }

            return [.. strays];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // no /proc (a chroot, a sandbox)
        }
    }
}
