namespace Fanout;

/// <summary>
/// Holds a semaphore or lock until disposed (Python's <c>with lock:</c>):
/// <c>using (semaphore.Hold()) { … }</c>. Disposing it twice releases once.
/// </summary>
public sealed class SharedScope : IDisposable
{
    private Action? _release;

    internal SharedScope(Action release)
    {
        _release = release;
    }

    /// <summary>Releases what <c>Hold()</c> acquired, once.</summary>
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
