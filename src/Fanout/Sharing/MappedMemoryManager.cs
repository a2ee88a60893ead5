using System.Buffers;

namespace Fanout;

/// <summary>Gives a <see cref="Memory{T}"/> over a mapping; the memory is already fixed, so pinning only hands out the address.</summary>
internal sealed unsafe class MappedMemoryManager(SharedMemory owner) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => owner.Span;

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        return new MemoryHandle((byte*)owner.Address + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
