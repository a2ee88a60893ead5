namespace Fanout;

/// <summary>
/// Where a <see cref="Future"/> is in its life. Only the executor that owns it moves it forward:
/// <c>Pending → Running → Finished</c>, or <c>Pending → Cancelled</c>; a process pool can also end a
/// running task by killing its worker (<c>Running → Cancelled</c>, see <see cref="Future.CancelOrKill"/>).
/// </summary>
public enum FutureState
{
    /// <summary>Submitted, not started yet; <see cref="Future.Cancel"/> still works.</summary>
    Pending,

    /// <summary>A worker is running it.</summary>
    Running,

    /// <summary>It returned a value or threw.</summary>
    Finished,

    /// <summary>It was cancelled before it started (or killed while running, by <see cref="Future.CancelOrKill"/>).</summary>
    Cancelled,
}
