using System.Collections.Concurrent;

namespace Fanout;

/// <summary>
/// A thread that lives as long as the process and does the spawning for children that must die
/// with us. The kernel's parent-death signal fires when the thread that created the child exits,
/// not the process, and a thread-pool thread may retire at any time.
/// </summary>
internal static class SpawnThread
{
    private static readonly BlockingCollection<Action> Work = StartThread();

    /// <summary>Runs <paramref name="spawn"/> on the spawn thread and returns its result.</summary>
    internal static T Invoke<T>(Func<T> spawn)
    {
        T result = default!;
        Exception? error = null;
        using var done = new ManualResetEventSlim();
        Work.Add(() =>
        {
            try
            {
                result = spawn();
            }
#pragma warning disable CA1031 // rethrown on the caller's thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = e;
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return result;
    }

    private static BlockingCollection<Action> StartThread()
    {
        var work = new BlockingCollection<Action>();
        new Thread(() =>
        {
            foreach (var action in work.GetConsumingEnumerable())
                action();
        })
        { IsBackground = true, Name = "Fanout spawner" }.Start();
        return work;
    }
}
