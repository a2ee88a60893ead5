using System.Text;

namespace Fanout;

public sealed partial class ProcessSpec
{
    /// <summary>How long output is still read after a timed-out child's group was stopped: enough for what is in the pipes, not for a grandchild that escaped the group.</summary>
    internal static readonly TimeSpan DrainAfterStop = TimeSpan.FromMilliseconds(250);

    /// <summary>A copy that captures standard output and standard error through pipes.</summary>
    public ProcessSpec WithCapturedOutput() => WithStdout(Stdio.Pipe).WithStderr(Stdio.Pipe);

    /// <summary>Starts the child and returns at once. See <see cref="ChildProcess.Start(ProcessSpec)"/>.</summary>
    /// <exception cref="ProcessStartException">The child could not be started; the message names the input at fault.</exception>
    public ChildProcess Start() => ChildProcess.Start(this);

    /// <summary>
    /// Runs the child to completion (Python's <c>subprocess.run</c>): sends <paramref name="input"/>,
    /// reads every piped stream, waits. On timeout the child's whole process group is stopped
    /// (SIGTERM, <see cref="StopGracePeriod"/>, SIGKILL) before the exception is thrown.
    /// </summary>
    /// <param name="timeout">How long it may take; null waits as long as it takes.</param>
    /// <param name="check">True to throw <see cref="ProcessFailedException"/> unless it exits with code 0.</param>
    /// <param name="input">Bytes for its stdin (stdin becomes a pipe when it was inherited).</param>
    /// <exception cref="ProcessStartException">It could not start.</exception>
    /// <exception cref="ProcessTimeoutException">Time ran out; the group has been stopped and the output read so far is attached.</exception>
    /// <exception cref="ProcessFailedException"><paramref name="check"/> is true and it did not succeed.</exception>
    public CompletedProcess Run(TimeSpan? timeout = null, bool check = false, ReadOnlyMemory<byte> input = default)
    {
        // All on the calling thread, in Communicate's poll loop: no thread-pool thread is woken for the child.
        using var child = ForInput(input).Start();
        CompletedProcess result;
        try
        {
            result = child.Communicate(input, timeout);
        }
        catch (ProcessTimeoutException timedOut)
        {
            child.Stop();
            var drained = DrainStopped(child);
            throw new ProcessTimeoutException(timedOut.CommandLine, timedOut.Pid, timedOut.Timeout, drained.Stdout, drained.Stderr);
        }

        return check ? result.EnsureSuccess() : result;
    }

    /// <summary>The asynchronous form of <see cref="Run"/>. Cancelling stops the child's group, then throws <see cref="OperationCanceledException"/>.</summary>
    public async Task<CompletedProcess> RunAsync(TimeSpan? timeout = null, bool check = false, ReadOnlyMemory<byte> input = default, CancellationToken cancellationToken = default)
    {
        using var child = ForInput(input).Start();
        CompletedProcess result;
        try
        {
            result = await child.CommunicateAsync(input, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ProcessTimeoutException or OperationCanceledException)
        {
            await child.StopAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            var drained = await DrainStoppedAsync(child).ConfigureAwait(false);
            if (e is ProcessTimeoutException timedOut)
                throw new ProcessTimeoutException(timedOut.CommandLine, timedOut.Pid, timedOut.Timeout, drained.Stdout, drained.Stderr);
            throw;
        }

        return check ? result.EnsureSuccess() : result;
    }

    /// <summary>Runs the child, requires success, and returns its standard output as text (Python's <c>check_output</c>).</summary>
    /// <exception cref="ProcessFailedException">It did not exit with code 0.</exception>
    public string CheckOutput(TimeSpan? timeout = null, ReadOnlyMemory<byte> input = default) =>
        (Stdout.Kind == Stdio.StdioKind.Pipe ? this : WithStdout(Stdio.Pipe)).Run(timeout, check: true, input).StdoutText;

    /// <summary>A pipeline that feeds the standard output of <paramref name="left"/> into the standard input of <paramref name="right"/>.</summary>
    public static Pipeline operator |(ProcessSpec left, ProcessSpec right) => new([left, right]);

    /// <summary>Named alternative for <c>|</c>.</summary>
    public Pipeline Pipe(ProcessSpec next) => this | next;

    /// <summary>This spec, with a piped stdin when there is input for it and stdin was inherited.</summary>
    private ProcessSpec ForInput(ReadOnlyMemory<byte> input) => !input.IsEmpty && Stdin.Kind == Stdio.StdioKind.Inherit ? WithStdin(Stdio.Pipe) : this;

    private static CompletedProcess DrainStopped(ChildProcess child)
    {
        try
        {
            return child.Communicate(timeout: DrainAfterStop);
        }
        catch (ProcessTimeoutException partial)
        {
            return Partial(child, partial);
        }
    }

    private static CompletedProcess Partial(ChildProcess child, ProcessTimeoutException partial) =>
        new(child.Spec, child.Pid, child.ExitStatus ?? ExitStatus.Signaled(Signal.Kill), child.Usage, partial.Stdout, partial.Stderr);

    private static async Task<CompletedProcess> DrainStoppedAsync(ChildProcess child)
    {
        try
        {
            return await child.CommunicateAsync(timeout: DrainAfterStop).ConfigureAwait(false);
        }
        catch (ProcessTimeoutException partial)
        {
            return Partial(child, partial);
        }
    }
}
