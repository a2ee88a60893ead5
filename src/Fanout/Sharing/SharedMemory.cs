using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using Fanout.Interop;

namespace Fanout;

/// <summary>
/// A block of memory shared between processes (Python's <c>multiprocessing.shared_memory.SharedMemory</c>):
/// a file in /dev/shm, mode 0600, mapped into every process that creates or attaches to it.
/// <see cref="Close"/> says this process is done with it; <see cref="Unlink"/> destroys it, once,
/// from any process (those still attached keep their mapping until they close). Unlike Python's
/// <c>buf</c>, the block can be seen as any unmanaged type: <see cref="AsSpan{T}"/>, <see cref="Ref{T}"/>.
/// A <see cref="SharedMemory"/> passed to a <see cref="WorkerProcess"/> travels by name and the worker attaches to it.
/// </summary>
/// <example>
/// <code>
/// using var block = SharedMemory.Create(sizeof(long) * 4);
/// block.AsSpan&lt;long&gt;()[0] = 100_000_000;             // not wrapped at 255
/// using var other = SharedMemory.Attach(block.Name);    // in any process
/// Console.WriteLine(other.AsSpan&lt;long&gt;()[0]);          // 100000000
/// block.Unlink();
/// </code>
/// </example>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
public sealed partial class SharedMemory : IDisposable, IAttachable<SharedMemory>
{
    /// <summary>The prefix of names Fanout makes up: <c>fanout-PID-RANDOM</c>, PID being the creator's, so leftovers can be recognised.</summary>
    public const string Prefix = "fanout-";

    internal const string Directory = "/dev/shm/";

    private readonly MappingHandle _mapping;
    private MappedMemoryManager? _memory;

    internal SharedMemory(string name, MappingHandle mapping)
    {
        Name = name;
        _mapping = mapping;
    }

    /// <summary>The segment's name, without a leading slash; another process attaches with it.</summary>
    public string Name { get; }

    /// <summary>The segment's size in bytes.</summary>
    public long Size => _mapping.Length;

    /// <summary>True once <see cref="Close"/> (or <see cref="Dispose"/>) was called in this process.</summary>
    public bool IsClosed => _mapping.IsClosed;

    /// <summary>The whole segment as bytes (Python's <c>buf</c>). Valid until <see cref="Close"/>.</summary>
    /// <exception cref="ObjectDisposedException">The segment was closed in this process.</exception>
    /// <exception cref="InvalidOperationException">The segment is larger than a span can hold (2 GiB); use <see cref="AsSpan{T}"/> with a larger T.</exception>
    public unsafe Span<byte> Span => new((void*)Address, checked((int)Size));

    /// <summary>The whole segment as <see cref="Memory{T}"/>, for APIs that keep a buffer across awaits. Valid until <see cref="Close"/>.</summary>
    public Memory<byte> Memory => (_memory ??= new MappedMemoryManager(this)).Memory;

    /// <summary>The mapping's address in this process.</summary>
    internal nint Address
    {
        get
        {
            ObjectDisposedException.ThrowIf(_mapping.IsClosed, this);
            return _mapping.DangerousGetHandle();
        }
    }

    /// <summary>
    /// Creates a segment of <paramref name="size"/> bytes, filled with zeros, and maps it.
    /// </summary>
    /// <param name="size">Bytes; more than zero.</param>
    /// <param name="name">A name other processes attach with; null for a fresh <c>fanout-PID-RANDOM</c> one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, too long, or holds a '/'.</exception>
    /// <exception cref="SharedMemoryExistsException">A segment with that name exists.</exception>
    public static SharedMemory Create(long size, string? name = null)
    {
        name = name is null ? NewName() : CheckName(name);
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The shared memory segment '{name}' needs a size of at least one byte.");
        return new SharedMemory(name, CreateMapping(name, size, "shared memory segment"));
    }

    /// <summary>Attaches to the existing segment <paramref name="name"/>; its size is read from the segment.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No segment has that name.</exception>
    public static SharedMemory Attach(string name)
    {
        name = CheckName(name);
        return new SharedMemory(name, AttachMapping(name, "shared memory segment"));
    }

    /// <summary>The segment as a span of <typeparamref name="T"/> (any unmanaged type): <c>Size / sizeof(T)</c> elements.</summary>
    /// <exception cref="ObjectDisposedException">The segment was closed in this process.</exception>
    public unsafe Span<T> AsSpan<T>()
        where T : unmanaged => new((void*)Address, checked((int)(Size / sizeof(T))));

    /// <summary>
    /// A reference to the <typeparamref name="T"/> at <paramref name="byteOffset"/>, to read, write, or use
    /// with <see cref="Interlocked"/> and <see cref="Volatile"/> (keep it aligned to its size for atomics).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value would not fit inside the segment.</exception>
    public unsafe ref T Ref<T>(long byteOffset = 0)
        where T : unmanaged
    {
        if (byteOffset < 0 || byteOffset > Size - sizeof(T))
            throw new ArgumentOutOfRangeException(nameof(byteOffset), byteOffset, $"A {typeof(T).Name} at offset {byteOffset} does not fit in '{Name}' ({Size} bytes).");
        return ref Unsafe.AsRef<T>((byte*)Address + byteOffset);
    }

    /// <summary>Unmaps the segment from this process (Python's <c>close()</c>). The segment lives on for others. Idempotent.</summary>
    public void Close() => _mapping.Dispose();

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    /// <summary>
    /// Destroys the segment (Python's <c>unlink()</c>): its name disappears at once, and its memory
    /// when the last process unmaps it. Call it once, from any one process.
    /// </summary>
    /// <exception cref="SharedMemoryNotFoundException">It was already unlinked.</exception>
    public void Unlink() => UnlinkName(Name, "shared memory segment");

    /// <inheritdoc />
    public override string ToString() => $"SharedMemory(name='{Name}', size={Size})";

    static SharedMemory IAttachable<SharedMemory>.AttachByName(string name) => Attach(name);

    /// <summary>A fresh name: the prefix, this process's id and 8 random hex digits.</summary>
    /// <remarks>
    /// Built from bytes: the crypto library (<c>RandomNumberGenerator</c>) or a culture (formatting
    /// a number as text) would each load a native library, tens of milliseconds before the first
    /// shared object of a process exists. The random part comes from <see cref="Guid.NewGuid"/>
    /// (the kernel's random source); a name taken anyway fails creation, never shares.
    /// </remarks>
    internal static string NewName()
    {
        Span<byte> pid = stackalloc byte[11];
        _ = System.Buffers.Text.Utf8Formatter.TryFormat(Environment.ProcessId, pid, out var digits);
        Span<byte> random = stackalloc byte[16];
        _ = Guid.NewGuid().TryWriteBytes(random);
        return string.Concat(Prefix, System.Text.Encoding.ASCII.GetString(pid[..digits]), "-", Convert.ToHexStringLower(random[..4]));
    }

    internal static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bare = name.StartsWith('/') ? name[1..] : name;
        if (bare.Length == 0 || bare.Length > 255 || bare.Contains('/', StringComparison.Ordinal) || bare.Contains('\0', StringComparison.Ordinal) || bare is "." or "..")
            throw new ArgumentException($"'{name}' cannot name a shared object: use 1 to 255 characters without '/' (one leading '/' is allowed, as in POSIX).", nameof(name));
        return bare;
    }

    internal static MappingHandle CreateMapping(string name, long size, string kind)
    {
        var fd = Libc.open(Directory + name, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0b110_000_000);
        if (fd < 0)
        {
            var errno = Errno.Last;
            throw errno == Libc.EEXIST ? new SharedMemoryExistsException(name, kind) : Errno.Exception(errno, "open", Directory + name);
        }

        try
        {
            if (Libc.ftruncate(fd, size) != 0)
                throw Errno.Exception("ftruncate", $"{name} ({size} bytes)");
            return Map(fd, name, size);
        }
        catch
        {
            _ = Libc.unlink(Directory + name);
            throw;
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    internal static MappingHandle AttachMapping(string name, string kind)
    {
        var fd = Libc.open(Directory + name, Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0);
        if (fd < 0)
        {
            var errno = Errno.Last;
            throw errno == Libc.ENOENT ? new SharedMemoryNotFoundException(name, kind) : Errno.Exception(errno, "open", Directory + name);
        }

        try
        {
            // The creator opens the file, then sizes it: an attacher that comes in between waits a moment.
            var size = 0L;
            for (var attempt = 0; attempt < 200 && (size = Libc.lseek(fd, 0, Libc.SEEK_END)) == 0; attempt++)
                Thread.Sleep(5);
            if (size < 0)
                throw Errno.Exception("lseek", name);
            if (size == 0)
                throw new FanoutException($"The {kind} '{name}' is empty (0 bytes): it was not made by Fanout, or its creator died before sizing it.");
            return Map(fd, name, size);
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    internal static void UnlinkName(string name, string kind)
    {
        if (Libc.unlink(Directory + name) == 0)
            return;
        var errno = Errno.Last;
        throw errno == Libc.ENOENT ? new SharedMemoryNotFoundException(name, kind) : Errno.Exception(errno, "unlink", Directory + name);
    }

    private static MappingHandle Map(int fd, string name, long size)
    {
        var address = Libc.mmap(0, (nuint)size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
        if (address == Libc.MAP_FAILED)
            throw Errno.Exception("mmap", $"{name} ({size} bytes)");
        return new MappingHandle(address, size);
    }
}
