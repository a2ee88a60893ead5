namespace Fanout;

/// <summary>A shared object that another process reaches by its name: it crosses to a worker as that name.</summary>
internal interface ISharedByName
{
    string Name { get; }

    /// <summary>
    /// Attaches a new instance of this object's own type to the object named <paramref name="name"/>.
    /// A worker calls it on an uninitialized instance of a parameter's type to rebuild a shared
    /// argument: a virtual call, which needs no reflection metadata (a native application has none).
    /// </summary>
    ISharedByName AttachAnother(string name);
}

/// <summary>A shared object type that can attach to an existing object by name.</summary>
internal interface IAttachable<TSelf> : ISharedByName
    where TSelf : IAttachable<TSelf>
{
    static abstract TSelf AttachByName(string name);

    ISharedByName ISharedByName.AttachAnother(string name) => TSelf.AttachByName(name);
}
