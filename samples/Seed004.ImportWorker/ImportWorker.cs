namespace Seed004.ImportWorker;

/// <summary>A worker's target that lives in another assembly (seed 004's multiprocessing_import_worker.py).</summary>
public static class ImportWorker
{
    /// <summary>The worker function.</summary>
    public static void Worker() => Console.WriteLine("Worker");
}
