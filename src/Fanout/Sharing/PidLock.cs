using System.Diagnostics;

namespace Fanout;

/// <summary>
/// The lock protocol on two words of shared memory: <c>owner</c> holds the owner's pid (0: free),
/// <c>sleepers</c> counts processes sleeping on it. Acquire swaps 0 for this pid; when another pid is
/// there it spins a little (most holds are short), then sleeps on the owner word while it still holds that pid, in slices of
/// <see cref="SharedLock.LivenessCheckInterval"/>, after each of which it checks that the owner lives.
/// A dead owner's lock is taken over and reported through <c>deadOwner</c>.
/// </summary>
internal static unsafe class PidLock
{
    /// <summary>Takes the lock; false when not blocking or the deadline passed. <paramref name="deadOwner"/> is the dead pid it was taken from, or 0.</summary>
    internal static bool Acquire(int* owner, int* sleepers, AdaptiveSpin spin, bool blocking, long deadline, out int deadOwner)
    {
        deadOwner = 0;
        var me = Environment.ProcessId;
        while (true)
        {
            var holder = Interlocked.CompareExchange(ref *owner, me, 0);
            if (holder == 0)
                return true;
            if (!blocking || Futex.Passed(deadline))
                return false;
            if (spin.SpinWhile(owner, holder))
                continue;
            var slice = (long)(SharedLock.LivenessCheckInterval.TotalSeconds * Stopwatch.Frequency);
            bool woken;
            Interlocked.Increment(ref *sleepers);
            try
            {
                woken = Futex.Wait(owner, holder, Math.Min(deadline, Stopwatch.GetTimestamp() + slice));
            }
            finally
            {
                Interlocked.Decrement(ref *sleepers);
            }

            if (!woken && holder != me && !Futex.IsProcessAlive(holder) && Interlocked.CompareExchange(ref *owner, me, holder) == holder)
            {
                deadOwner = holder;
                return true;
            }
        }
    }

    /// <summary>Frees the lock if this process holds it and wakes one sleeper; returns the pid that held it (this one on success).</summary>
    internal static int Release(int* owner, int* sleepers)
    {
        var me = Environment.ProcessId;
        var holder = Interlocked.CompareExchange(ref *owner, 0, me);
        if (holder == me && Volatile.Read(ref *sleepers) > 0)
            Futex.Wake(owner);
        return holder;
    }
}
