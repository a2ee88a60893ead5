namespace Fanout;

/// <summary>Thrown when creating a shared memory segment or shared object under a name that is already taken.</summary>
public sealed class SharedMemoryExistsException : FanoutException
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public SharedMemoryExistsException(string name, string kind = "shared memory segment")
        : base($"A {kind} named '{name}' already exists (/dev/shm/{name}). Attach to it instead, pick another name, or leave the name out for a fresh random one.")
    {
        Name = name;
    }

    /// <summary>The name that was taken.</summary>
    public string Name { get; }
}
