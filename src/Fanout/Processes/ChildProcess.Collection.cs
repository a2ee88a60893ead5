using Fanout.Interop;

namespace Fanout;

public sealed partial class ChildProcess
{
    // Called once, on whichever thread reaps the child, right after its exit is known.
    private Action? _exitObserver;

    /// <summary>
    /// <see cref="CommunicateAsync"/>'s engine: the reactor thread itself feeds stdin, reads stdout
    /// and stderr into their buffers and sees the exit, and one task completes when all of that is
    /// done. The awaiting code resumes once per child, not once per pipe event: every resumption
    /// is a thread-pool hop, and an idle pool thread spins for a while after each, on CPU the
    /// children need.
    /// </summary>
    private sealed class Collection : IDisposable
    {
        // A turn on the reactor thread reads at most this much, so a child that floods its pipe
        // does not keep every other child's events waiting.
        private const int ReadBudget = 1024 * 1024;

        private readonly ChildProcess _child;
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private readonly Action<uint> _onStdin;
        private readonly Action<uint> _onStdout;
        private readonly Action<uint> _onStderr;
        private readonly Action _onExit;
        private long _stdinToken;
        private long _stdoutToken;
        private long _stderrToken;
        private CancellationTokenRegistration _cancellation;
        private int _pending;
        private bool _stopped;

        private Collection(ChildProcess child)
        {
            _child = child;
            _onExit = Done;
            Action feed = Feed, drainStdout = () => Drain(stdout: true), drainStderr = () => Drain(stdout: false);
            _onStdin = _ => Serve(feed);
            _onStdout = _ => Serve(drainStdout);
            _onStderr = _ => Serve(drainStderr);
        }

        /// <summary>Completes when stdin has been fed, stdout and stderr have ended and the child has been reaped; cancelling leaves every pipe and byte read so far as they are.</summary>
        internal Task Completion => _done.Task;

        /// <summary>Starts collecting; dispose the collection once <see cref="Completion"/> has completed, to drop the cancellation's registration.</summary>
        internal static Collection Start(ChildProcess child, CancellationToken cancellationToken)
        {
            var collection = new Collection(child);
            // One count per open pipe, one for the exit, and one for this setup, so nothing completes halfway through it.
            collection._pending = 2 + (child._stdin is null ? 0 : 1) + (child._stdout is null ? 0 : 1) + (child._stderr is null ? 0 : 1);
            collection.Serve(() =>
            {
                if (child._stdin is not null)
                    collection.Feed();
                if (child._stdout is not null)
                    collection.Drain(stdout: true);
                if (child._stderr is not null)
                    collection.Drain(stdout: false);
            });
            collection.WatchExit();
            collection.Done();
            if (cancellationToken.CanBeCanceled && !collection._done.Task.IsCompleted)
                collection._cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Collection)state!).Stop(null, token), collection);
            return collection;
        }

        public void Dispose() => _cancellation.Dispose();

        private void WatchExit()
        {
            Volatile.Write(ref _child._exitObserver, _onExit);
            // The exit may have been seen before the observer was in place: then it is ours to count.
            if (_child._exited.Task.IsCompleted && Interlocked.Exchange(ref _child._exitObserver, null) is { } observer)
                observer();
        }

        /// <summary>Runs a step under the gate, unless the collection was stopped; an error stops it.</summary>
        private void Serve(Action step)
        {
            lock (_gate)
            {
                if (_stopped)
                    return;
                try
                {
                    step();
                }
#pragma warning disable CA1031 // handed to the awaiting caller
                catch (Exception e)
#pragma warning restore CA1031
                {
                    StopLocked(e, default);
                }
            }
        }

        private void Feed()
        {
            _stdinToken = 0;
            var stdin = _child._stdin!;
            try
            {
                while (!_child._pendingInput.IsEmpty)
                {
                    var written = stdin.TryWrite(_child._pendingInput.Span);
                    if (written < 0)
                    {
                        _stdinToken = Reactor.Shared.Register(stdin.Handle, Libc.EPOLLOUT, _onStdin);
                        return;
                    }

                    _child._pendingInput = _child._pendingInput[written..];
                }
            }
            catch (IOException)
            {
                // The child closed its stdin early; Python ignores BrokenPipeError here too.
            }

            _child.CloseStdin();
            Done();
        }

        private void Drain(bool stdout)
        {
            ref var stream = ref stdout ? ref _child._stdout : ref _child._stderr;
            ref var token = ref stdout ? ref _stdoutToken : ref _stderrToken;
            var buffer = stdout ? _child._stdoutBuffer : _child._stderrBuffer;
            token = 0;
            for (var read = 0; read < ReadBudget;)
            {
                var n = stream!.TryRead(buffer.GetMemory().Span);
                if (n < 0)
                    break;
                if (n == 0)
                {
                    CloseOutput(ref stream);
                    // Both pipes closed, so the child has most likely exited: reaping now saves waiting for the pidfd's event.
                    if (_child._stdout is null && _child._stderr is null && !_child._exited.Task.IsCompleted)
                        _child.TryReap();
                    Done();
                    return;
                }

                buffer.Advance(n);
                read += n;
            }

            token = Reactor.Shared.Register(stream!.Handle, Libc.EPOLLIN, stdout ? _onStdout : _onStderr);
        }

        // No lock here: it runs under the reap lock when the exit is seen, and the gate is taken before the reap lock elsewhere.
        private void Done()
        {
            if (Interlocked.Decrement(ref _pending) == 0)
                _done.TrySetResult();
        }

        private void Stop(Exception? error, CancellationToken cancellationToken)
        {
            lock (_gate)
                StopLocked(error, cancellationToken);
        }

        private void StopLocked(Exception? error, CancellationToken cancellationToken)
        {
            if (_stopped)
                return;
            _stopped = true;
            // A token the reactor already took out belongs to a callback waiting on the gate: it will see _stopped.
            foreach (var token in (ReadOnlySpan<long>)[_stdinToken, _stdoutToken, _stderrToken])
            {
                if (token != 0)
                    Reactor.Shared.Unregister(token);
            }

            _ = Interlocked.CompareExchange(ref _child._exitObserver, null, _onExit);
            if (error is not null)
                _done.TrySetException(error);
            else
                _done.TrySetCanceled(cancellationToken);
        }
    }
}
