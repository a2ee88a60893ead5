namespace Fanout;

/// <summary>
/// <c>sbatch</c> refused a submission: a permanent error (an invalid partition, account or
/// option), or a transient one (the controller did not answer) that outlasted the retries. The
/// message holds sbatch's own message and the options that were given, so the one at fault is named.
/// </summary>
public sealed class SlurmSubmitException : FanoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="options">The sbatch options that were given (without the script).</param>
    /// <param name="error">What sbatch printed on stderr, or why it could not run.</param>
    /// <param name="attempts">How many times sbatch was tried.</param>
    public SlurmSubmitException(IReadOnlyList<string> options, string error, int attempts)
        : base(Describe(options, error, attempts))
    {
        Options = options;
        Error = error;
        Attempts = attempts;
    }

    /// <summary>The sbatch options that were given (without the script and its arguments).</summary>
    public IReadOnlyList<string> Options { get; }

    /// <summary>What sbatch printed on stderr, or why it could not run.</summary>
    public string Error { get; }

    /// <summary>How many times sbatch was tried: 1 for a permanent error, more when a transient one persisted.</summary>
    public int Attempts { get; }

    private static string Describe(IReadOnlyList<string> options, string error, int attempts) =>
        $"sbatch refused the job{(attempts > 1 ? $" {attempts} times" : "")}: {error.Trim()} (options: {ShellQuoting.Join(options)})";
}
