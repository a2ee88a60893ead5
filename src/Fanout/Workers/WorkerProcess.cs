using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Fanout;

/// <summary>
/// Runs a .NET method in a new process (Python's <c>multiprocessing.Process</c>): a static method
/// or a lambda that captures nothing, with arguments that travel as JSON, or the <see cref="Run"/>
/// override of a subclass. Start it, join it, read its exit code — and, unlike Python, the value
/// it returned or the exception it threw.
/// <code>
///  parent                                     worker (dotnet exec … Fanout.dll --fanout-worker)
///  ──────                                     ──────
///  new WorkerProcess(target, args)            (args checked and serialized here: refusals at the call site)
///  Start() ── posix_spawn, fds 3 and 4 ─────► WorkerHost.Main
///          ── control pipe: call frame ─────► find method, read args, run it
///             (kept open: the lifeline)        EOF on the control pipe = parent gone → exit at once
///          ◄─ reply pipe: result or error ──── value as JSON, or the exception's type, message, stack
///  reactor: pidfd readable → reaped           exit code: 0, 1 after an exception, Environment.Exit(n)
///  Join() completes: exit seen, reply read
/// </code>
/// <para>
/// Concurrency: <c>_gate</c> guards the state change made by <see cref="Start"/> and the
/// <see cref="Daemon"/> flag. After the start, one monitor task owns the reply pipe and the
/// lifeline: it reads replies until end of stream, waits for the exit the reactor reports, then
/// closes the lifeline and removes the worker from the live set. Joins wait for that task.
/// </para>
/// </summary>
/// <example>
/// <code>
/// static int Square(int n) => n * n;
///
/// var worker = new WorkerProcess(Square, 7) { Name = "squarer" };
/// worker.Start();
/// worker.Join();
/// Console.WriteLine($"{worker.ExitCode} {worker.Result}");   // 0 49
/// </code>
/// </example>
public partial class WorkerProcess
{
    private readonly Lock _gate = new();
    private readonly WorkerTarget? _target;
    private readonly int[] _identity;
    private string _name;
    private bool _daemon;
    private WorkerReply? _reply;
    private object? _result;
    private RemoteException? _error;
    private bool _resultRead;

    /// <summary>
    /// Describes a worker that will run <paramref name="target"/> with <paramref name="args"/>.
    /// The target is a static method or a lambda that captures nothing (or an instance method of a
    /// record that survives a JSON round trip); the arguments are serialized now, as the method's
    /// declared parameter types, so a problem shows here rather than in the child.
    /// </summary>
    /// <param name="target">The method to run: <c>Worker</c>, <c>static (int n) =&gt; …</c>.</param>
    /// <param name="args">Its arguments, as Python's <c>args=(…)</c>; trailing optional parameters may be left out.</param>
    /// <exception cref="ArgumentException">
    /// The target captures variables or <c>this</c>, belongs to an object that cannot be sent, or takes
    /// references or spans; or an argument is missing, of the wrong type, or cannot be serialized.
    /// The message says why and what to do instead.
    /// </exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "A trimmed or native application sends only values that need no reflection; others are refused with a message (WorkerSerializer.TrimmedApplication).")]
    public WorkerProcess(Delegate target, params object?[] args)
        : this()
    {
        _target = WorkerTarget.FromDelegate(target, args, passDescriptors: true);
    }

    /// <summary>
    /// For subclasses that override <see cref="Run"/>. At <see cref="Start"/> the object's public
    /// properties (and fields) declared by the subclass are sent as JSON; the child builds a new
    /// instance with the parameterless constructor, sets them and calls <see cref="Run"/>.
    /// </summary>
    protected WorkerProcess()
    {
        _identity = CurrentProcess.NextChildIdentity();
        var typeName = GetType() == typeof(WorkerProcess) ? "Process" : GetType().Name.Split('`')[0];
        _name = $"{typeName}-{string.Join(':', _identity)}";
    }

    /// <summary>The worker's name, for logs and <see cref="CurrentProcess.Name"/> in the child. Defaults to <c>Process-N</c> (a subclass: <c>ClassName-N</c>), N counting the workers this process created.</summary>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    public string Name
    {
        get => Volatile.Read(ref _name);
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            Volatile.Write(ref _name, value);
        }
    }

    /// <summary>
    /// True for a daemon: it does not keep this process from exiting; it is terminated when this
    /// process exits and killed when this process dies any other way. Non-daemons are joined when
    /// this process exits normally. Settable only before <see cref="Start"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The worker was already started.</exception>
    public bool Daemon
    {
        get => _daemon;
        set
        {
            lock (_gate)
            {
                if (_state != State.Initial)
                    throw new InvalidOperationException($"'{Name}' was already started; set Daemon before calling Start().");
                _daemon = value;
            }
        }
    }

    /// <summary>The worker's process id; null before <see cref="Start"/>.</summary>
    public int? Pid => _child?.Pid;

    /// <summary>How the worker ended; null before the start and while it runs.</summary>
    public ExitStatus? ExitStatus => _child?.Poll();

    /// <summary>
    /// Python's <c>exitcode</c>: null before the start and while it runs; 0 when the target returned;
    /// 1 when it threw; n after <c>Environment.Exit(n)</c>; minus the signal number when a signal
    /// killed it (−15 after <see cref="Terminate"/>).
    /// </summary>
    public int? ExitCode => ExitStatus?.ReturnCode;

    /// <summary>True from <see cref="Start"/> until the worker's exit is seen.</summary>
    public bool IsAlive => _child is { } child && child.Poll() is null;

    /// <summary>The exception the target threw in the worker, once the worker is joined; null otherwise.</summary>
    public RemoteException? Error => _reply?.Error is { } error ? _error ??= ToException(error) : null;

    /// <summary>
    /// The value the target returned, read as its declared return type (the <c>T</c> of a
    /// <c>Task&lt;T&gt;</c>); null for a <c>void</c> target. Python's Process cannot do this.
    /// </summary>
    /// <exception cref="InvalidOperationException">The worker was not started, or is not joined yet.</exception>
    /// <exception cref="RemoteException">The target threw; this carries the worker's exception.</exception>
    /// <exception cref="WorkerLostException">The worker exited or was killed before returning.</exception>
    public object? Result
    {
        get
        {
            if (_finished is not { IsCompleted: true })
                throw new InvalidOperationException($"'{Name}' {(_finished is null ? "was not started" : "is still running")}; Join() it before reading its result.");
            if (Error is { } error)
                throw error;
            if (_reply is null)
                throw new WorkerLostException(Name, _child!.Pid, _child.ExitStatus!.Value);
            lock (_gate)
            {
                if (!_resultRead)
                {
                    _result = _target is { ResultType: var type } && type != typeof(void) && _reply.Value is { } value
                        ? DeserializeResult(value, type)
                        : null;
                    _resultRead = true;
                }

                return _result;
            }
        }
    }

    /// <summary>The value the target returned, as <typeparamref name="T"/> (see <see cref="Result"/>).</summary>
    /// <exception cref="InvalidCastException">The target's return type is not <typeparamref name="T"/>.</exception>
    public T GetResult<T>() => (T)Result!;

    /// <summary>
    /// The worker's code. By default it runs the target given to the constructor; a subclass
    /// overrides it (Python's <c>run()</c>). It runs in the worker process, never in this one.
    /// </summary>
    protected virtual void Run()
    {
        // A target is run by the worker host directly; this body only runs for a subclass that
        // calls base.Run() without having given a target.
    }

    /// <summary>Python's repr: <c>&lt;WorkerProcess name='Process-1' pid=4662 parent=4660 started&gt;</c>.</summary>
    public override string ToString()
    {
        var state = _child is null ? "initial" : ExitStatus is { } status ? $"stopped exitcode={Describe(status)}" : "started";
        var pid = _child is null ? "" : $" pid={_child.Pid}";
        var daemon = _daemon ? " daemon" : "";
        return $"<{GetType().Name} name='{Name}'{pid} parent={Environment.ProcessId} {state}{daemon}>";

        static string Describe(ExitStatus status) => status.Signal is { } signal ? $"-{signal.Name}" : $"{status.ExitCode}";
    }

    /// <summary>In the worker: takes the identity the parent gave this instance.</summary>
    internal void BecomeCurrent(WorkerCall call)
    {
        _name = call.Name;
        _daemon = call.Daemon;
    }

    /// <summary>In the worker: runs the subclass's code.</summary>
    internal void RunInWorker() => Run();

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerSerializer.Justification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = WorkerSerializer.Justification)]
    private static object? DeserializeResult(byte[] value, Type type) => WorkerSerializer.Deserialize(value, type);

    private RemoteException ToException(RemoteError error) => new(
        error.Type, error.Message, error.StackTrace, Name, _child?.Pid, error.Inner is { } inner ? ToException(inner) : null);
}
