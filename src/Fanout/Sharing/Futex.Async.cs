namespace Fanout;

internal static unsafe partial class Futex
{
    /// <summary>
    /// Runs a blocking futex wait on a thread of its own, since a futex cannot be awaited.
    /// Cancelling bumps <paramref name="word"/> and wakes everyone sleeping on it: the waiter
    /// returns from its sleep and sees the token, the others find nothing for them and sleep again.
    /// The word must be one whose sleepers treat a bump as "look again", never as a notification.
    /// </summary>
    /// <param name="word">The futex word the wait sleeps on.</param>
    /// <param name="wait">The blocking wait; it checks the token after every wake-up.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    internal static Task<T> RunWaitAsync<T>(int* word, Func<CancellationToken, T> wait, CancellationToken cancellationToken)
    {
        var address = (nint)word;
        return Task.Factory.StartNew(
            () =>
            {
                // Registered and disposed on the waiting thread, so no wake can touch the word after the wait returned.
                using var registration = cancellationToken.UnsafeRegister(static state => Bump((int*)(nint)state!), address);
                return wait(cancellationToken);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.RunContinuationsAsynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Changes <paramref name="word"/> and wakes all its sleepers, so each looks again.</summary>
    internal static void Bump(int* word)
    {
        Interlocked.Increment(ref *word);
        Wake(word, int.MaxValue);
    }
}
