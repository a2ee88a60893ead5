using System.Collections.Concurrent;
using System.Text.Json;
using Fanout.Interop;
using Fanout.Ipc;

namespace Fanout;

internal static partial class WorkerHost
{
    /// <summary>The third argument of a pool worker: it runs tasks until told to exit.</summary>
    internal const string PoolMarker = "--pool";

    /// <summary>
    /// A pool worker: becomes the worker the first frame names and runs its initializer, then
    /// runs task after task (see <see cref="PoolWire"/>) until an exit frame. A reader thread takes
    /// the frames off the control pipe, so the lifeline is watched even while a task runs: end of
    /// stream means the parent is gone, and the worker kills itself at once.
    /// </summary>
    private static int PoolMain(FileStream control, FileStream replies)
    {
        using var frames = new BlockingCollection<byte[]>();
        var reader = new Thread(() =>
        {
            try
            {
                while (Frames.Read(control) is { } frame)
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

        var targets = new Dictionary<int, (Func<JsonElement[], object?> Invoke, Type ResultType)>();
        while (true)
        {
            var frame = frames.Take();
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            if (root.TryGetProperty("exit", out _))
                break;
            replies.Write(Frames.Encode(RunTask(root, targets, out _)));
        }

        WorkerProcess.ShutDown();
        Console.Out.Flush();
        return 0;
    }

    /// <summary>Runs one task's calls and returns the reply's payload; <paramref name="error"/> is the first call's exception, if one threw.</summary>
    private static byte[] RunTask(JsonElement task, Dictionary<int, (Func<JsonElement[], object?> Invoke, Type ResultType)> targets, out RemoteError? error)
    {
        error = null;
        var index = 0;
        try
        {
            var id = task.GetProperty("id").GetInt32();
            if (!targets.TryGetValue(id, out var target))
            {
                var reference = WorkerWire.ReadTarget(task.GetProperty("target"));
                JsonElement? instance = task.TryGetProperty("instance", out var i) ? i.Clone() : null;
                var invoke = WorkerTarget.Bind(reference, instance, out var resultType);
                targets[id] = target = (invoke, resultType);
            }

            var items = task.GetProperty("items");
            return PoolWire.Values(json =>
            {
                foreach (var item in items.EnumerateArray())
                {
                    var value = target.Invoke([.. item.EnumerateArray()]);
                    if (target.ResultType == typeof(void))
                        json.WriteNullValue();
                    else
                        WriteResult(json, value, target.ResultType);
                    index++;
                }
            });
        }
#pragma warning disable CA1031 // Any exception of a task is sent back as its result.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = RemoteError.From(e);
            return PoolWire.Error(index, error);
        }
    }

    /// <summary>A result that cannot be serialized still reaches the parent, as an error that says why.</summary>
    private static void WriteResult(Utf8JsonWriter json, object? value, Type type)
    {
        try
        {
            WorkerSerializer.Write(json, value, type);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"The task returned a {value?.GetType().Name ?? type.Name} that cannot be sent back to the parent: {e.Message}", e);
        }
    }
}
