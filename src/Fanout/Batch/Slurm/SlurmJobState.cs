namespace Fanout.Batch;

/// <summary>What one <c>squeue</c> line says of a job or array task: its state (<c>%T</c>) and Slurm's reason for it (<c>%r</c>).</summary>
/// <param name="State">Such as RUNNING, COMPLETING, TIMEOUT, CANCELLED.</param>
/// <param name="Reason">Such as None, Priority, TimeLimit.</param>
internal readonly record struct SlurmJobState(string State, string Reason = "None")
{
    /// <summary>Still queued, running, or being ended: not final yet.</summary>
    internal bool IsLive => SlurmCommands.LiveStates.Contains(State);

    /// <summary>
    /// Slurm ended it, or is ending it, at its time limit: TIMEOUT once it has ended, and the reason
    /// TimeLimit while it still shows COMPLETING (its tasks have had SIGTERM, SIGKILL follows after KillWait).
    /// </summary>
    internal bool HitTimeLimit => State == "TIMEOUT" || Reason == "TimeLimit";
}
