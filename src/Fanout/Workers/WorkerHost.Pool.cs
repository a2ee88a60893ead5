using System.Text.Json;
using Fanout.Interop;
using Fanout.Ipc;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

internal static partial class WorkerHost
{
    /// <summary>The third argument of a pool worker: it runs tasks until told to exit.</summary>
    internal const string PoolMarker = "--pool";

    /// <summary>Where a pool worker finds its <see cref="ReplyRing"/>'s memory file.</summary>
    private const int ReplyRingFd = 5;

    /// <summary>
    /// A pool worker: becomes the worker the first frame names and runs its initializer, then
    /// runs task after task (see <see cref="PoolWire"/>) until an exit frame. A reader thread takes
    /// the frames off the control pipe (a batch of tasks in one read), so the lifeline is watched
    /// even while a task runs: end of stream means the parent is gone, and the worker kills itself
    /// at once. Each reply is published in the <see cref="ReplyRing"/> as soon as its task is done:
    /// if the worker dies in the next task, the parent has every earlier value and knows which task
    /// was running.
    /// </summary>
    private static int PoolMain(FileStream control, FileStream replies)
    {
        if (!IsOpen(ReplyRingFd))
        {
            Console.Error.WriteLine("A pool worker needs its reply ring on descriptor 5; it runs only as the worker a Pool or ProcessPoolExecutor starts.");
            return 2;
        }

        ReplyRing ring;
        using (var ringFile = new SafeFileHandle(ReplyRingFd, ownsHandle: true))
            ring = ReplyRing.Attach(ringFile);

        var frames = new FrameQueue();
        var reader = new Thread(() =>
        {
            try
            {
                var incoming = new FrameReader(control);
                while (incoming.Read() is { } frame)
                    frames.Add(frame);
            }
            catch (IOException)
            {
            }

            WorkerLog.LifelineLost(FanoutLog.Logger, CurrentProcess.Name);
            Libc.kill(Environment.ProcessId, Signal.Kill.Number);
        })
        { IsBackground = true, Name = "Fanout lifeline" };
        reader.Start();

        var call = WorkerWire.ReadCall(frames.Take());
        CurrentProcess.BecomeWorker(call);
        if (call.StderrLogLevel is { } level)
            FanoutLog.LogToStderr(level);
        WorkerReply hello;
        try
        {
            WorkerTarget.Invoke(call, out _);
            hello = new WorkerReply();
        }
#pragma warning disable CA1031 // The initializer's exception is reported to the pool.
        catch (Exception e)
#pragma warning restore CA1031
        {
            hello = new WorkerReply { Error = RemoteError.From(e) };
        }

        replies.Write(Frames.Encode(WorkerWire.Write(hello)));
        if (hello.Error is not null)
            return 1;

        var targets = new Dictionary<int, PoolTaskRunner>();
        var reply = new FrameBuffer();
        using var json = new Utf8JsonWriter(reply, new JsonWriterOptions { SkipValidation = true });
        while (true)
        {
            var frame = frames.Take();
            reply.Clear();
            if (frame is [CompactWire.ExitMarker])
                break;
            if (frame.Length > 0 && frame[0] == CompactWire.TaskMarker)
            {
                RunCompactTask(frame, targets, reply, json);
                ring.Send(reply.OnlyPayload.Span, replies);
                continue;
            }

            using var document = JsonDocument.Parse(frame);
            RunTask(document.RootElement, targets, reply, json);
            ring.Send(reply.OnlyPayload.Span, replies);
        }

        WorkerProcess.ShutDown();
        Console.Out.Flush();
        return 0;
    }

    /// <summary>Runs one task and appends its reply: every value, or the first failing call's error.</summary>
    private static void RunTask(JsonElement task, Dictionary<int, PoolTaskRunner> targets, FrameBuffer reply, Utf8JsonWriter json)
    {
        var index = 0;
        try
        {
            var id = task.GetProperty("id").GetInt32();
            var runner = Runner(targets, id, task);
            PoolWire.AppendValues(reply, json, runner, task.GetProperty("items"), ref index);
        }
#pragma warning disable CA1031 // Any exception of a task is sent back as its result.
        catch (Exception e)
#pragma warning restore CA1031
        {
            PoolWire.AppendError(reply, json, index, RemoteError.From(e));
        }
    }

    /// <summary>Runs one <see cref="CompactWire"/> task and appends its reply: every value, or the first failing call's error (as JSON).</summary>
    private static void RunCompactTask(byte[] frame, Dictionary<int, PoolTaskRunner> targets, FrameBuffer reply, Utf8JsonWriter json)
    {
        var index = 0;
        try
        {
            ReadOnlySpan<byte> rest = frame.AsSpan(1);
            var id = CompactWire.ReadInt32(ref rest);
            var targetLength = CompactWire.ReadInt32(ref rest);
            if (targetLength < 0 || targetLength > rest.Length)
                throw CompactWire.Truncated();
            if (!targets.TryGetValue(id, out var runner))
            {
                if (targetLength == 0)
                    throw new IOException($"A pool task names target {id}, which this worker was never sent.");
                var (reference, instanceJson) = WorkerWire.ReadPoolTarget(frame, frame.Length - rest.Length, targetLength);
                targets[id] = runner = WorkerTarget.Bind(reference, instanceJson is null ? null : ParseElement(instanceJson));
            }

            PoolWire.AppendCompactValues(reply, runner, rest[targetLength..], ref index);
        }
#pragma warning disable CA1031 // Any exception of a task is sent back as its result.
        catch (Exception e)
#pragma warning restore CA1031
        {
            PoolWire.AppendError(reply, json, index, RemoteError.From(e));
        }
    }

    private static JsonElement ParseElement(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>The runner of target <paramref name="id"/>, bound from <paramref name="task"/>'s target the first time.</summary>
    private static PoolTaskRunner Runner(Dictionary<int, PoolTaskRunner> targets, int id, JsonElement task)
    {
        if (!targets.TryGetValue(id, out var runner))
        {
            var reference = WorkerWire.ReadTarget(task.GetProperty("target"));
            JsonElement? instance = task.TryGetProperty("instance", out var i) ? i.Clone() : null;
            targets[id] = runner = WorkerTarget.Bind(reference, instance);
        }

        return runner;
    }
}
