using System.Text.Json;
using Fanout.Ipc;

namespace Fanout;

internal static partial class WorkerHost
{
    /// <summary>The second argument of a worker that runs one task from a file, then the task's and the reply's paths.</summary>
    internal const string FileMarker = "--run-file";

    /// <summary>
    /// A worker with no parent on the other end of a pipe — a cluster job (see
    /// <see cref="SlurmExecutor"/>): reads one pool task (<see cref="PoolWire"/>) from a file, runs
    /// its calls, and writes the reply to another file. The reply is written under a temporary name
    /// and renamed, so whoever polls for it never reads half of it. Exits with 0 when the calls
    /// returned, or 1 when one threw (printing it on stderr, which the scheduler keeps).
    /// </summary>
    private static int FileMain(string taskPath, string replyPath)
    {
        var job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { } array
            ? $"{array}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
            : Environment.GetEnvironmentVariable("SLURM_JOB_ID");
        CurrentProcess.Name = job is null ? "ClusterTask" : $"SlurmJob-{job}";

        var reply = new FrameBuffer();
        using (var json = new Utf8JsonWriter(reply, new JsonWriterOptions { SkipValidation = true }))
        using (var task = JsonDocument.Parse(File.ReadAllBytes(taskPath)))
            RunTask(task.RootElement, [], reply, json);
        var payload = reply.OnlyPayload;
        RemoteError? error;
        using (var document = JsonDocument.Parse(payload))
            error = PoolWire.ReadReply(document).Error;
        if (error is not null)
            Console.Error.Write($"Process {CurrentProcess.Name}:{Environment.NewLine}{error.Type}: {error.Message}{Environment.NewLine}{error.StackTrace}{Environment.NewLine}");

        var temporary = $"{replyPath}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, payload.ToArray());
        File.Move(temporary, replyPath, overwrite: true);
        WorkerProcess.ShutDown();
        Console.Out.Flush();
        return error is null ? 0 : 1;
    }
}
