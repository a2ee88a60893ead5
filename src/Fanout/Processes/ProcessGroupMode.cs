namespace Fanout;

/// <summary>Where a child process stands in the system's process groups and sessions.</summary>
public enum ProcessGroupMode
{
    /// <summary>
    /// The child leads a new process group (the default), so a stop or timeout can signal it and
    /// everything it started at once. Ctrl-C at a terminal no longer reaches it directly.
    /// </summary>
    NewGroup,

    /// <summary>The child stays in its parent's process group, as Python's <c>Popen</c> does by default.</summary>
    Inherit,

    /// <summary>The child leads a new session (and group), detached from the controlling terminal.</summary>
    NewSession,
}
