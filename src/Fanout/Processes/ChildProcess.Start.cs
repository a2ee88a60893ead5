using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

public sealed partial class ChildProcess
{
    private static readonly Lazy<bool> OpenFilesLimitRaised = new(RaiseOpenFilesLimit);

    /// <summary>Spawns the child; <paramref name="joinGroup"/> is the group a pipeline stage joins (0: a new one).</summary>
    internal static ChildProcess Start(ProcessSpec spec, int joinGroup)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _ = OpenFilesLimitRaised.Value;
        if (spec.WorkingDirectory is { } cwd && !Directory.Exists(cwd))
        {
            throw new ProcessStartException(spec.Program, File.Exists(cwd)
                ? $"the working directory '{cwd}' is a file, not a directory"
                : $"the working directory '{cwd}' does not exist", File.Exists(cwd) ? Libc.ENOTDIR : Libc.ENOENT);
        }

        var environment = EnvironmentCache.Acquire(spec);
        try
        {
            return Start(spec, joinGroup, environment);
        }
        finally
        {
            environment.DangerousRelease();
        }
    }

    private static ChildProcess Start(ProcessSpec spec, int joinGroup, EnvironmentBlock environment)
    {
        var resolved = ExecutableResolver.Resolve(spec.Program, environment.SearchPath, spec.WorkingDirectory);
        List<string> argv = [spec.Program, .. spec.Arguments];
        // A group of its own is guarded by the watchdog (cheap, and it reaches grandchildren);
        // a child in our group gets the kernel's parent-death signal through setpriv.
        var guardedByWatchdog = spec.KillOnParentExit && spec.ProcessGroup != ProcessGroupMode.Inherit;
        if (spec.KillOnParentExit && !guardedByWatchdog)
        {
            // PR_SET_PDEATHSIG survives exec, so setpriv sets it and then becomes the program.
            var setpriv = ExecutableResolver.Resolve("setpriv", "/usr/bin:/bin:/usr/sbin:/sbin", null);
            argv = [setpriv, "--pdeathsig", "KILL", "--", resolved, .. spec.Arguments];
            resolved = setpriv;
        }

        using var wiring = new StdioWiring(spec);
        var stdin = wiring.Wire(spec.Stdin, 0);
        var stdout = wiring.Wire(spec.Stdout, 1);
        var stderr = spec.Stderr.Kind == Stdio.StdioKind.MergeWithStdout ? Spawner.ChildFd.Inherit : wiring.Wire(spec.Stderr, 2);
        var merge = spec.Stderr.Kind == Stdio.StdioKind.MergeWithStdout;

        var passed = wiring.Pass(spec.PassedHandles);
        if (guardedByWatchdog)
            ParentDeathWatchdog.EnsureStarted(); // before the spawn, so that failing to start it leaves no child behind
        var startTimestamp = Stopwatch.GetTimestamp();
        int Spawn() => Spawner.Spawn(resolved, argv, environment, spec.WorkingDirectory, stdin, stdout, stderr, merge, spec.ProcessGroup, joinGroup, passed);
        var pid = spec.KillOnParentExit && !guardedByWatchdog ? SpawnThread.Invoke(Spawn) : Spawn();
        if (pid < 0)
        {
            // The shortcuts of the resolver may have let a bad program through: name it as the full checks would.
            if (-pid is Libc.ENOENT or Libc.EACCES)
                ExecutableResolver.Diagnose(spec.Program, environment.SearchPath, spec.WorkingDirectory);
            throw SpawnFailure(spec, resolved, -pid);
        }

        var group = spec.ProcessGroup == ProcessGroupMode.Inherit ? Libc.getpgid(0) : joinGroup != 0 ? joinGroup : pid;
        var child = new ChildProcess(spec, pid, group, startTimestamp);
        wiring.HandOver(child);
        if (guardedByWatchdog)
        {
            try
            {
                child._watchdogSlot = ParentDeathWatchdog.Register(group);
            }
            catch (IOException e)
            {
                // Unguarded, it could outlive us, which the caller asked never to happen.
                // Its exit is not watched yet, so it is reaped here rather than waited for.
                child.Kill();
                child.TryReap(blocking: true);
                child.Dispose();
                throw new ProcessStartException(spec.Program, $"it could not be listed with the parent-death watchdog: {e.Message}", innerException: e);
            }
        }

        return child;
    }

    private static ProcessStartException SpawnFailure(ProcessSpec spec, string resolved, int errno)
    {
        var reason = errno switch
        {
            Libc.ENOENT when spec.WorkingDirectory is not null && !Directory.Exists(spec.WorkingDirectory) =>
                $"the working directory '{spec.WorkingDirectory}' does not exist",
            Libc.ENOENT => $"{resolved} or the interpreter named in its first line does not exist",
            Libc.EACCES => $"permission denied executing {resolved} (or entering the working directory)",
            Libc.ENOEXEC => $"{resolved} is not in an executable format and has no #! line",
            Libc.E2BIG => "the argument list and environment are too long",
            Libc.ETXTBSY => $"{resolved} is open for writing by another process",
            Libc.EAGAIN => "the system or this user has reached the limit on the number of processes (RLIMIT_NPROC)",
            Libc.ENOMEM => "out of memory",
            Libc.EMFILE or Libc.ENFILE => OutOfDescriptors(),
            _ => $"posix_spawn failed: {Libc.StrError(errno)}",
        };
        return new ProcessStartException(spec.Program, reason, errno);
    }

    internal static unsafe string OutOfDescriptors()
    {
        Libc.RLimit limit;
        Libc.getrlimit(Libc.RLIMIT_NOFILE, &limit);
        return $"this process is out of file descriptors (RLIMIT_NOFILE is {limit.Current}); close children's pipes you are done with, or start fewer children with pipes at once";
    }

    /// <summary>Lets one process have as many descriptors as its hard limit allows, once, as Go and the JVM do.</summary>
    private static unsafe bool RaiseOpenFilesLimit()
    {
        Libc.RLimit limit;
        if (Libc.getrlimit(Libc.RLIMIT_NOFILE, &limit) != 0 || limit.Current >= limit.Maximum)
            return false;
        limit.Current = limit.Maximum;
        return Libc.setrlimit(Libc.RLIMIT_NOFILE, &limit) == 0;
    }

    /// <summary>
    /// Creates the descriptors a child's standard streams need, keeps this process's ends, and
    /// closes the child's ends once the spawn is done (or everything, when it failed).
    /// </summary>
    private sealed class StdioWiring(ProcessSpec spec) : IDisposable
    {
        private readonly List<SafeHandle> _childEnds = [];
        private readonly PipeEndStream?[] _parentEnds = new PipeEndStream?[3];
        private readonly List<(int Target, Stream Stream, PipeEndStream Pipe)> _pumps = [];
        private bool _handedOver;

        internal Spawner.ChildFd Wire(Stdio stdio, int target)
        {
            switch (stdio.Kind)
            {
                case Stdio.StdioKind.Inherit:
                    return Spawner.ChildFd.Inherit;
                case Stdio.StdioKind.Null:
                    return Spawner.ChildFd.Null;
                case Stdio.StdioKind.Pipe:
                    return Spawner.ChildFd.From(CreatePipe(target, out _parentEnds[target]));
                case Stdio.StdioKind.Stream:
                {
                    var childEnd = CreatePipe(target, out var parentEnd);
                    _pumps.Add((target, stdio.Stream!, parentEnd));
                    return Spawner.ChildFd.From(childEnd);
                }

                case Stdio.StdioKind.ReadFile:
                    return Spawner.ChildFd.From(OpenFile(stdio.Path!, Libc.O_RDONLY, "standard input"));
                case Stdio.StdioKind.WriteFile:
                    return Spawner.ChildFd.From(OpenFile(stdio.Path!, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC, target == 1 ? "standard output" : "standard error"));
                case Stdio.StdioKind.AppendFile:
                    return Spawner.ChildFd.From(OpenFile(stdio.Path!, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND, target == 1 ? "standard output" : "standard error"));
                case Stdio.StdioKind.Handle:
                {
                    var added = false;
                    stdio.Handle!.DangerousAddRef(ref added);
                    _childEnds.Add(new BorrowedHandle(stdio.Handle));
                    var fd = (int)stdio.Handle.DangerousGetHandle();
                    StrayDescriptors.Note(fd); // without close-on-exec, it must not reach the other children too
                    return Spawner.ChildFd.From(fd);
                }

                case Stdio.StdioKind.Process:
                {
                    var pipe = stdio.Process!.TakeStandardOutput(spec.ToString());
                    // The consumer must see an ordinary blocking pipe; our end was non-blocking.
                    var flags = Libc.fcntl(pipe.Handle, Libc.F_GETFL, 0);
                    Libc.fcntl(pipe.Handle, Libc.F_SETFL, flags & ~Libc.O_NONBLOCK);
                    _childEnds.Add(pipe.Handle);
                    return Spawner.ChildFd.From((int)pipe.Handle.DangerousGetHandle());
                }

                default:
                    throw new ArgumentException($"{stdio} cannot be used for descriptor {target}.", nameof(stdio));
            }
        }

        /// <summary>
        /// Keeps the caller's extra handles open through the spawn and returns their descriptors.
        /// One numbered below 3 + count could be overwritten by an earlier dup2 in the child, so it is
        /// duplicated above that range first (close-on-exec; the copy is closed after the spawn).
        /// </summary>
        internal int[] Pass(ImmutableArray<SafeHandle> handles)
        {
            var fds = new int[handles.Length];
            for (var i = 0; i < handles.Length; i++)
            {
                var added = false;
                handles[i].DangerousAddRef(ref added);
                _childEnds.Add(new BorrowedHandle(handles[i]));
                fds[i] = (int)handles[i].DangerousGetHandle();
                StrayDescriptors.Note(fds[i]);
                if (fds[i] >= 3 + handles.Length)
                    continue;
                var high = Libc.fcntl(handles[i], Libc.F_DUPFD_CLOEXEC, 3 + handles.Length);
                if (high < 0)
                {
                    var errno = Errno.Last;
                    throw new ProcessStartException(spec.Program, errno is Libc.EMFILE or Libc.ENFILE
                        ? OutOfDescriptors()
                        : Errno.Exception(errno, "fcntl(F_DUPFD_CLOEXEC)", $"descriptor {fds[i]}").Message, errno);
                }

                _childEnds.Add(new SafeFileHandle(high, ownsHandle: true));
                fds[i] = high;
            }

            return fds;
        }

        internal void HandOver(ChildProcess child)
        {
            _handedOver = true;
            child._stdin = _parentEnds[0];
            child._stdout = _parentEnds[1];
            child._stderr = _parentEnds[2];
            foreach (var (target, stream, pipe) in _pumps)
                child._pumps.Add(target == 0 ? PumpAsync(stream, pipe) : PumpAsync(pipe, stream));
        }

        public void Dispose()
        {
            foreach (var handle in _childEnds)
                handle.Dispose();
            if (_handedOver)
                return;
            foreach (var end in _parentEnds)
                end?.Dispose();
            foreach (var (_, _, pipe) in _pumps)
                pipe.Dispose();
        }

        private static async Task PumpAsync(Stream from, Stream to)
        {
            // The pump owns the pipe end: closing it when done gives the child EOF on stdin.
            var pipe = from as PipeEndStream ?? (PipeEndStream)to;
            await using (pipe.ConfigureAwait(false))
            {
                try
                {
                    await from.CopyToAsync(to).ConfigureAwait(false);
                }
                catch (IOException) when (to is PipeEndStream)
                {
                    // The child stopped reading its stdin: what it did not take is dropped, as in a shell.
                }
            }
        }

        private unsafe int CreatePipe(int target, out PipeEndStream parentEnd)
        {
            var fds = stackalloc int[2];
            if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
            {
                var errno = Errno.Last;
                throw new ProcessStartException(spec.Program,
                    errno is Libc.EMFILE or Libc.ENFILE ? OutOfDescriptors() : Errno.Exception(errno, "pipe2").Message, errno);
            }

            var read = new SafeFileHandle(fds[0], ownsHandle: true);
            var write = new SafeFileHandle(fds[1], ownsHandle: true);
            var (parent, child) = target == 0 ? (write, read) : (read, write);
            Libc.fcntl(parent, Libc.F_SETFL, Libc.O_NONBLOCK);
            parentEnd = new PipeEndStream(parent, readable: target != 0);
            _childEnds.Add(child);
            return (int)child.DangerousGetHandle();
        }

        private int OpenFile(string path, int flags, string what)
        {
            var fd = Libc.open(path, flags | Libc.O_CLOEXEC, 0b110_110_110);
            if (fd < 0)
            {
                var errno = Errno.Last;
                throw new ProcessStartException(spec.Program, $"cannot open '{path}' for its {what}: {Libc.StrError(errno)}", errno);
            }

            var handle = new SafeFileHandle(fd, ownsHandle: true);
            _childEnds.Add(handle);
            return fd;
        }
    }

    /// <summary>Releases a caller's handle that was kept open for the spawn, without closing it.</summary>
    private sealed class BorrowedHandle : SafeHandle
    {
        private readonly SafeHandle _borrowed;

        internal BorrowedHandle(SafeHandle borrowed) : base(borrowed.DangerousGetHandle(), ownsHandle: true) => _borrowed = borrowed;

        public override bool IsInvalid => false;

        protected override bool ReleaseHandle()
        {
            _borrowed.DangerousRelease();
            return true;
        }
    }
}
