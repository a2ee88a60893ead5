using System.Text.Json.Serialization;

namespace Fanout;

/// <summary>
/// A <see cref="SharedSemaphore"/> that refuses to be released above its initial value (Python's
/// <c>multiprocessing.BoundedSemaphore</c>): an extra <see cref="SharedSemaphore.Release"/> throws
/// <see cref="SemaphoreFullException"/> in whichever process makes it.
/// </summary>
[JsonConverter(typeof(SharedObjectJsonConverterFactory))]
public sealed class SharedBoundedSemaphore : SharedSemaphore, IAttachable<SharedBoundedSemaphore>
{
    private SharedBoundedSemaphore(SharedMemory segment)
        : base(segment)
    {
    }

    /// <summary>Creates a bounded semaphore with <paramref name="initialValue"/> units, which is also its most.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialValue"/> is negative.</exception>
    /// <exception cref="SharedMemoryExistsException">The name is taken.</exception>
    public static new SharedBoundedSemaphore Create(int initialValue = 1, string? name = null) =>
        new(CreateSegment(initialValue, bound: initialValue, name));

    /// <summary>Attaches to the bounded semaphore <paramref name="name"/>.</summary>
    /// <exception cref="SharedMemoryNotFoundException">No object has that name.</exception>
    public static new SharedBoundedSemaphore Attach(string name) => new(AttachSegment(name, SharedKind.Semaphore));

    static SharedBoundedSemaphore IAttachable<SharedBoundedSemaphore>.AttachByName(string name) => Attach(name);

    /// <summary>Both this type and its base provide one; a worker must rebuild this one.</summary>
    ISharedByName ISharedByName.AttachAnother(string name) => Attach(name);
}
