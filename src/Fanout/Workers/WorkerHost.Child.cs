using Fanout.Interop;
using Fanout.Ipc;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

internal static partial class WorkerHost
{
    private const int ControlFd = 3;
    private const int ReplyFd = 4;

    /// <summary>
    /// The worker's entry point: reads the call from descriptor 3, watches that pipe as the
    /// lifeline, runs the target, writes the reply to descriptor 4, and exits with 0, or 1 when the
    /// target threw (printing the exception on stderr first, as Python prints the traceback).
    /// </summary>
    private static int Main(string[] args)
    {
        if (args.Length == 4 && args[0] == Marker && args[1] == FileMarker)
            return FileMain(args[2], args[3]);
        if (args.Length == 0 || args[0] != Marker || !IsOpen(ControlFd) || !IsOpen(ReplyFd))
        {
            Console.Error.WriteLine("Fanout.dll is a library. It runs as a program only as the worker host that WorkerProcess.Start() launches.");
            return 2;
        }

        // dup2 cleared close-on-exec; whatever this worker starts must not hold our pipes.
        Libc.fcntl(new SafeFileHandle(ControlFd, ownsHandle: false), Libc.F_SETFD, Libc.FD_CLOEXEC);
        Libc.fcntl(new SafeFileHandle(ReplyFd, ownsHandle: false), Libc.F_SETFD, Libc.FD_CLOEXEC);
        var control = new FileStream(new SafeFileHandle(ControlFd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
        using var replies = new FileStream(new SafeFileHandle(ReplyFd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
        if (args.Length > 2 && args[2] == PoolMarker)
            return PoolMain(control, replies);

        var frame = Frames.Read(control);
        if (frame is null)
            return 1; // The parent died before it sent the call.
        var call = WorkerWire.ReadCall(frame);
        InheritedDescriptors.Adopt(call.InheritedDescriptors);
        CurrentProcess.BecomeWorker(call);
        if (call.StderrLogLevel is { } level)
            FanoutLog.LogToStderr(level);
        WatchLifeline(control);

        var logger = FanoutLog.Logger;
        WorkerLog.CallingRun(logger);
        int exitCode;
        WorkerReply reply;
        try
        {
            var value = WorkerTarget.Invoke(call, out var resultType);
            reply = new WorkerReply { Value = resultType == typeof(void) ? null : WorkerSerializer.SerializeToUtf8(value, resultType) };
            exitCode = 0;
        }
#pragma warning disable CA1031 // Any exception of the target's is reported to the parent, as Python's child does.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // One write, so lines from other processes on the same terminal do not cut into it.
            Console.Error.Write($"Process {call.Name}:{Environment.NewLine}{WithoutHostFrames(e.ToString())}{Environment.NewLine}");
            reply = new WorkerReply { Error = RemoteError.From(e) };
            exitCode = 1;
        }

        try
        {
            replies.Write(Frames.Encode(WorkerWire.Write(reply)));
        }
        catch (IOException)
        {
            // The parent is gone; there is no one to tell.
        }

        WorkerProcess.ShutDown();
        WorkerLog.Exiting(logger, exitCode);
        // No Console.Out.Flush(): the console's writer flushes every write, and touching it here
        // would create it (loading ICU) in a worker that never printed.
        return exitCode;
    }

    /// <summary>
    /// The parent holds the control pipe's write end until it has seen this worker exit. End of
    /// stream therefore means the parent died (or gave up on us): stop at once, whatever the target
    /// is doing, so no worker outlives its parent — even one killed with SIGKILL.
    /// </summary>
    private static void WatchLifeline(FileStream control)
    {
        new Thread(() =>
        {
            var buffer = new byte[256];
            try
            {
                while (control.Read(buffer) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            WorkerLog.LifelineLost(FanoutLog.Logger, CurrentProcess.Name);
            Libc.kill(Environment.ProcessId, Signal.Kill.Number);
        })
        { IsBackground = true, Name = "Fanout lifeline" }.Start();
    }

    /// <summary>
    /// A stack trace without the frames of the reflection call and of this host below the
    /// target, as Python's traceback shows the user's frames.
    /// </summary>
    internal static string WithoutHostFrames(string trace) => string.Join(Environment.NewLine, trace
        .Split(Environment.NewLine)
        .Where(line => !HostFrames.Any(frame => line.StartsWith(frame, StringComparison.Ordinal))));

    private static readonly string[] HostFrames =
    [
        "   at System.Reflection.MethodBaseInvoker.",
        "   at System.Reflection.RuntimeMethodInfo.Invoke(",
        "   at System.Reflection.MethodBase.Invoke(",
        "   at Fanout.WorkerTarget.",
        "   at Fanout.WorkerHost.",
        "   at Fanout.WorkerProcess.RunInWorker(",
        "   at Fanout.Awaited.",

        // The same under NativeAOT, whose frames name no module and whose stubs have no name.
        "   at System.Reflection.DynamicInvokeInfo.",
        "   at System.Reflection.Runtime.MethodInfos.",
        "   at Internal.Reflection.",
        "   at Fanout!<BaseAddress>+",
    ];

    private static bool IsOpen(int fd) => Libc.fcntl(new SafeFileHandle(fd, ownsHandle: false), Libc.F_GETFD, 0) >= 0;
}
