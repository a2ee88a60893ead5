using System.Text;

namespace Fanout;

/// <summary>A child process that has finished, with what it wrote to the pipes that were captured.</summary>
/// <param name="Spec">What was run.</param>
/// <param name="Pid">The process id it had.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Usage">CPU time, peak memory and wall time, when known.</param>
/// <param name="Stdout">Its standard output, when captured (empty otherwise).</param>
/// <param name="Stderr">Its standard error, when captured (empty otherwise).</param>
public sealed record CompletedProcess(ProcessSpec Spec, int Pid, ExitStatus Status, ResourceUsage? Usage, byte[] Stdout, byte[] Stderr)
{
    /// <summary>Standard output decoded as UTF-8.</summary>
    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    /// <summary>Standard error decoded as UTF-8.</summary>
    public string StderrText => Encoding.UTF8.GetString(Stderr);

    /// <summary>Python's return code: the exit code, or minus the signal number.</summary>
    public int ReturnCode => Status.ReturnCode;

    /// <summary>Throws <see cref="ProcessFailedException"/> unless the process exited with code 0.</summary>
    public CompletedProcess EnsureSuccess() =>
        Status.Success ? this : throw new ProcessFailedException(Spec.ToString(), Status, Stdout, Stderr);
}
