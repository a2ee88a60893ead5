namespace Fanout;

/// <summary>A shared object that another process reaches by its name: it crosses to a worker as that name.</summary>
internal interface ISharedByName
{
    string Name { get; }
}

/// <summary>A shared object type that can attach to an existing object by name.</summary>
internal interface IAttachable<TSelf> : ISharedByName
    where TSelf : IAttachable<TSelf>
{
    static abstract TSelf AttachByName(string name);
}
