using Fanout.Interop;

namespace Fanout;

public sealed partial class ChildProcess
{
    /// <summary>Sends SIGTERM to the child (Python's <c>terminate()</c>); a child that already exited is left alone.</summary>
    public void Terminate() => SendSignal(Signal.Terminate);

    /// <summary>Sends SIGKILL to the child (Python's <c>kill()</c>); a child that already exited is left alone.</summary>
    public void Kill() => SendSignal(Signal.Kill);

    /// <summary>Sends <paramref name="signal"/> to the child, or to its whole process group.</summary>
    /// <param name="signal">The signal to send.</param>
    /// <param name="entireGroup">True to signal every process in the child's group (the child and what it started).</param>
    /// <returns>False when there was no one left to signal.</returns>
    /// <exception cref="InvalidOperationException">The group was asked for, but the child shares this process's group.</exception>
    public bool SendSignal(Signal signal, bool entireGroup = false)
    {
        if (entireGroup)
        {
            if (Spec.ProcessGroup == ProcessGroupMode.Inherit)
                throw new InvalidOperationException($"pid {Pid} shares this process's group; signalling the group would signal us too. Start it with ProcessGroupMode.NewGroup.");
            return Libc.kill(-ProcessGroupId, signal.Number) == 0;
        }

        // Once reaped, the pid may belong to someone else: never signal it again.
        lock (_reapLock)
            return !_exited.Task.IsCompleted && Libc.kill(Pid, signal.Number) == 0;
    }

    /// <summary>
    /// Stops the child and everything in its process group: SIGTERM, then SIGKILL to whatever is
    /// left after <paramref name="gracePeriod"/> (the spec's <see cref="ProcessSpec.StopGracePeriod"/> by default).
    /// Returns the child's exit status.
    /// </summary>
    public async Task<ExitStatus> StopAsync(TimeSpan? gracePeriod = null, CancellationToken cancellationToken = default)
    {
        var grace = gracePeriod ?? Spec.StopGracePeriod;
        var group = Spec.ProcessGroup != ProcessGroupMode.Inherit;
        SendSignal(Signal.Terminate, group);
        try
        {
            await _exited.Task.WaitAsync(grace, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        // Grandchildren may outlive a leader that obeyed SIGTERM; the group is killed either way.
        SendSignal(Signal.Kill, group);
        return await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The blocking form of <see cref="StopAsync"/>; it waits on the calling thread alone.</summary>
    public ExitStatus Stop(TimeSpan? gracePeriod = null)
    {
        var group = Spec.ProcessGroup != ProcessGroupMode.Inherit;
        SendSignal(Signal.Terminate, group);
        BlockUntilExited(gracePeriod ?? Spec.StopGracePeriod);
        SendSignal(Signal.Kill, group);
        BlockUntilExited(null);
        return _exited.Task.GetAwaiter().GetResult();
    }
}
