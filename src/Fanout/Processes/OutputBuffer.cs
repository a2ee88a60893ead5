namespace Fanout;

/// <summary>
/// Collects a child's output in chunks that grow as it grows, so reading 1 GiB copies each byte
/// once more (into the final array) rather than at every doubling of one buffer. Large chunks and
/// the final array ask for huge pages: a gibibyte of fresh memory is otherwise 262,144 page faults,
/// which cost more than the reading itself.
/// </summary>
internal sealed class OutputBuffer
{
    private const int FirstChunk = 16 * 1024;
    private const int LargestChunk = 32 * 1024 * 1024;
    private readonly List<(byte[] Chunk, int Used)> _full = [];
    private byte[] _current = [];
    private int _used;

    /// <summary>Bytes collected so far.</summary>
    internal long Length { get; private set; }

    /// <summary>Room to read into; call <see cref="Advance"/> with what was read.</summary>
    internal Memory<byte> GetMemory()
    {
        if (_used == _current.Length)
        {
            if (_current.Length > 0)
                _full.Add((_current, _used));
            _current = GC.AllocateUninitializedArray<byte>(Math.Clamp(_current.Length * 2, FirstChunk, LargestChunk));
            // Faulted in here, not inside read(): a fault there holds the pipe's lock while the child waits to write.
            MemoryAdvice.BackWithHugePages(_current);
            MemoryAdvice.Populate(_current);
            _used = 0;
        }

        return _current.AsMemory(_used);
    }

    internal void Advance(int count)
    {
        _used += count;
        Length += count;
        // A byte[] holds at most about 2 GiB: say so now rather than after reading everything.
        if (Length > Array.MaxLength)
            throw new FanoutException($"A child wrote more than {Array.MaxLength:N0} bytes to a captured stream, more than one byte array can hold. Read StandardOutput as a stream, or redirect it to a file, instead of Communicate.");
    }

    /// <summary>Everything collected, in one array.</summary>
    internal byte[] ToArray()
    {
        var result = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        MemoryAdvice.BackWithHugePages(result);
        var at = 0;
        foreach (var (chunk, used) in _full)
        {
            chunk.AsSpan(0, used).CopyTo(result.AsSpan(at));
            at += used;
        }

        _current.AsSpan(0, _used).CopyTo(result.AsSpan(at));
        return result;
    }
}
