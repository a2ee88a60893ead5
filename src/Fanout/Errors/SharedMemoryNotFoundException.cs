namespace Fanout;

/// <summary>Thrown when attaching to a shared memory segment or shared object by a name that does not exist (never created, or already unlinked).</summary>
public sealed class SharedMemoryNotFoundException : FanoutException
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public SharedMemoryNotFoundException(string name, string kind = "shared memory segment")
        : base($"There is no {kind} named '{name}' (looked for /dev/shm/{name}): it was never created, or it was unlinked. Create it first, or check the name.")
    {
        Name = name;
    }

    /// <summary>The name that was not found.</summary>
    public string Name { get; }
}
