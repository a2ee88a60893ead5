namespace Fanout.Cli;

/// <summary>
/// What shares standard input out among the jobs of <c>--round-robin</c>, <c>--shard</c> or
/// <c>--bin</c>, once it exists: the run stops it when it halts (jobs that will never start would
/// otherwise hold up the others' input) and asks it afterwards why reading stopped early.
/// </summary>
internal sealed class InputSharing : IDisposable
{
    private IDisposable? _sharer;
    private Func<Exception?> _readError = () => null;

    /// <summary>Why reading the input stopped before its end, or null.</summary>
    internal Exception? ReadError => _readError();

    /// <summary>Takes on <paramref name="sharer"/>, whose reading error <paramref name="readError"/> tells.</summary>
    internal void Track(IDisposable sharer, Func<Exception?> readError)
    {
        _sharer = sharer;
        _readError = readError;
    }

    /// <summary>Stops the sharing: running jobs get the end of their input.</summary>
    public void Dispose() => _sharer?.Dispose();
}
