namespace Fanout;

/// <summary>
/// Collects a child's output in chunks that grow as it grows, so reading 1 GiB copies each byte
/// once more (into the final array) rather than at every doubling of one buffer.
/// </summary>
/// <remarks>
/// Past the first 2 MiB the chunks are <see cref="AnonymousMemory"/>: <see cref="TakeArray"/>
/// gives each 2 MiB of them back as soon as it is copied out, so the final array's pages are
/// the ones just freed. Capturing 1 GiB then needs little more than 1 GiB at its peak, not 2 GiB,
/// and only half of what it touches is memory the process has never used, which the kernel (and
/// under a virtual machine, the hypervisor) is slowest to provide.
/// </remarks>
internal sealed class OutputBuffer
{
    private const int FirstChunk = 16 * 1024;
    private const int FirstMappedChunk = 2 * 1024 * 1024;
    private const int LargestChunk = 32 * 1024 * 1024;
    private const int ReleaseStep = 2 * 1024 * 1024;
    private readonly List<(Memory<byte> Chunk, int Used, AnonymousMemory? Mapping)> _full = [];
    private Memory<byte> _current;
    private AnonymousMemory? _currentMapping;
    private int _used;

    /// <summary>Bytes collected so far.</summary>
    internal long Length { get; private set; }

    /// <summary>Room to read into; call <see cref="Advance"/> with what was read.</summary>
    internal Memory<byte> GetMemory()
    {
        if (_used == _current.Length)
        {
            if (_current.Length > 0)
                _full.Add((_current, _used, _currentMapping));
            var size = Math.Clamp(_current.Length * 2, FirstChunk, LargestChunk);
            if (size >= FirstMappedChunk)
            {
                _currentMapping = AnonymousMemory.Allocate(size, "a child's captured output");
                _current = _currentMapping.Memory;
            }
            else
            {
                var chunk = GC.AllocateUninitializedArray<byte>(size);
                // Faulted in here, not inside read(): a fault there holds the pipe's lock while the child waits to write.
                MemoryAdvice.Populate(chunk);
                _currentMapping = null;
                _current = chunk;
            }

            _used = 0;
        }

        return _current[_used..];
    }

    internal void Advance(int count)
    {
        _used += count;
        Length += count;
        // A byte[] holds at most about 2 GiB: say so now rather than after reading everything.
        if (Length > Array.MaxLength)
            throw new FanoutException($"A child wrote more than {Array.MaxLength:N0} bytes to a captured stream, more than one byte array can hold. Read StandardOutput as a stream, or redirect it to a file, instead of Communicate.");
    }

    /// <summary>A copy of everything collected so far; the buffer keeps it and may go on growing.</summary>
    internal byte[] ToArray() => Gather(release: false);

    /// <summary>
    /// Everything collected, in one array, giving the chunks' memory back as it goes; the buffer
    /// then holds that array alone. For when the stream has ended.
    /// </summary>
    internal byte[] TakeArray()
    {
        var result = Gather(release: true);
        _full.Clear();
        _current = result;
        _currentMapping = null;
        _used = result.Length;
        return result;
    }

    private byte[] Gather(bool release)
    {
        if (Length == 0)
            return [];
        // The room never read into goes back first, so even the first pages of the result are recycled ones.
        if (release)
            _currentMapping?.Release(_used, _current.Length - _used);
        var result = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        var at = 0;
        foreach (var (chunk, used, mapping) in _full)
            at = CopyOut(chunk.Span[..used], release ? mapping : null, result, at);
        _ = CopyOut(_current.Span[.._used], release ? _currentMapping : null, result, at);
        return result;
    }

    /// <summary>
    /// Copies <paramref name="chunk"/> into <paramref name="result"/> at <paramref name="at"/>; with
    /// <paramref name="release"/>, 2 MiB at a time, each given back as soon as it is copied so
    /// that the result's next page fault finds it.
    /// </summary>
    private static int CopyOut(ReadOnlySpan<byte> chunk, AnonymousMemory? release, byte[] result, int at)
    {
        if (release is null)
        {
            chunk.CopyTo(result.AsSpan(at));
            return at + chunk.Length;
        }

        for (var offset = 0; offset < chunk.Length; offset += ReleaseStep)
        {
            var count = Math.Min(ReleaseStep, chunk.Length - offset);
            chunk.Slice(offset, count).CopyTo(result.AsSpan(at));
            at += count;
            release.Release(offset, count);
        }

        ((IDisposable)release).Dispose();
        return at;
    }
}
