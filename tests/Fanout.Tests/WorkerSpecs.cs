using System.Globalization;
using System.Text.RegularExpressions;

namespace Fanout.Tests;

public sealed partial class WorkerSpecs : ProcessTestBase
{
    [Fact(Timeout = 20_000)]
    public async Task A_worker_runs_a_static_method_with_its_arguments_and_the_parent_reads_the_returned_value()
    {
        var worker = new WorkerProcess(WorkerTargets.Add, 2, 40);

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal(0, worker.ExitCode);
        Assert.Equal(42, worker.Result);
        Assert.Null(worker.Error);
    }

    [Fact(Timeout = 20_000)]
    public async Task Records_cross_the_process_boundary_as_the_declared_parameter_and_return_types()
    {
        var worker = new WorkerProcess(WorkerTargets.Mirror, new Point(1, 2));

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal(new Point(2, 1), worker.GetResult<Point>());
    }

    [Fact(Timeout = 20_000)]
    public async Task An_async_target_is_awaited_in_the_worker_and_the_parent_gets_the_tasks_value()
    {
        var worker = new WorkerProcess(WorkerTargets.GreetAsync, "Fanout");

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal("hello Fanout", worker.Result);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_lambda_that_captures_nothing_runs_in_the_worker()
    {
        var worker = new WorkerProcess(static (int n) => n * 3, 5);

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal(15, worker.Result);
    }

    [Fact(Timeout = 20_000)]
    public async Task An_instance_method_of_a_record_runs_on_a_copy_in_the_worker()
    {
        var worker = new WorkerProcess(new Multiplier(7).Apply, 6);

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal(42, worker.Result);
    }

    [Fact(Timeout = 5_000)]
    public async Task Workers_are_named_Process_N_counting_the_workers_this_process_created()
    {
        var first = new WorkerProcess(WorkerTargets.Noop);
        var second = new WorkerProcess(WorkerTargets.Noop);
        var named = new WorkerProcess(WorkerTargets.Noop) { Name = "my_service" };

        var n = int.Parse(ProcessName().Match(first.Name).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal($"Process-{n + 1}", second.Name);
        Assert.Equal("my_service", named.Name);
        Assert.Equal("MainProcess", CurrentProcess.Name);
        Assert.False(CurrentProcess.IsWorker);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 20_000)]
    public async Task Inside_the_worker_the_current_process_has_the_workers_name_pid_and_parent()
    {
        var worker = new WorkerProcess(WorkerTargets.Describe) { Name = "worker 1", Daemon = true };

        worker.Start();
        await worker.JoinAsync();

        var info = worker.GetResult<WorkerInfo>();
        Assert.Equal(new WorkerInfo("worker 1", worker.Pid!.Value, Environment.ProcessId, IsWorker: true, IsDaemon: true), info);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_worker_started_inside_a_worker_is_named_after_its_parent_as_in_Python()
    {
        var worker = new WorkerProcess(WorkerTargets.StartNestedWorker);

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal($"{worker.Name}:1", worker.Result);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_subclass_is_named_after_its_class_and_its_Run_override_runs_with_its_public_state()
    {
        var output = Path.Combine(Path.GetTempPath(), $"fanout-echo-{Guid.NewGuid():N}");
        var worker = new Echoer { Text = "hello", OutputPath = output };
        try
        {
            worker.Start();
            await worker.JoinAsync();

            Assert.Matches("^Echoer-[0-9]+$", worker.Name);
            Assert.Equal(0, worker.ExitCode);
            Assert.Equal($"In {worker.Name}: hello", await File.ReadAllTextAsync(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task Join_with_a_timeout_returns_false_and_leaves_the_worker_alive()
    {
        var worker = new WorkerProcess(WorkerTargets.SleepFor, 30.0);
        worker.Start();

        var joined = worker.Join(TimeSpan.FromMilliseconds(300));

        Assert.False(joined);
        Assert.True(worker.IsAlive);
        Assert.Null(worker.ExitCode);
        Assert.Contains(worker, WorkerProcess.ActiveChildren());
        Assert.Throws<InvalidOperationException>(() => worker.Result);
        worker.Kill();
        await worker.JoinAsync();
        Assert.Equal(-9, worker.ExitCode);
        Assert.False(worker.IsAlive);
        Assert.DoesNotContain(worker, WorkerProcess.ActiveChildren());
    }

    [Fact(Timeout = 20_000)]
    public async Task Terminate_stops_a_worker_with_exit_code_minus_15_and_it_has_no_result()
    {
        var worker = new WorkerProcess(WorkerTargets.SleepFor, 30.0);
        worker.Start();

        worker.Terminate();
        await worker.JoinAsync();

        Assert.Equal(-15, worker.ExitCode);
        var lost = Assert.Throws<WorkerLostException>(() => worker.Result);
        Assert.Equal(Signal.Terminate, lost.Signal);
        Assert.Equal(worker.Pid, lost.Pid);
    }

    [Fact(Timeout = 20_000)]
    public async Task Environment_Exit_in_the_target_gives_its_code()
    {
        var worker = new WorkerProcess(WorkerTargets.ExitWith, 7);

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal(7, worker.ExitCode);
        Assert.Equal(7, Assert.Throws<WorkerLostException>(() => worker.Result).Status.ExitCode);
    }

    [Fact(Timeout = 20_000)]
    public async Task An_exception_in_the_target_exits_with_1_and_reaches_the_parent_with_the_childs_stack()
    {
        var worker = new WorkerProcess(WorkerTargets.Fail, "There was an error!");

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal(1, worker.ExitCode);
        var error = Assert.IsType<RemoteException>(worker.Error);
        Assert.Equal("System.InvalidOperationException", error.RemoteType);
        Assert.Equal("There was an error!", error.RemoteMessage);
        Assert.Contains("at Fanout.Tests.WorkerTargets.Fail(String message)", error.RemoteStackTrace, StringComparison.Ordinal);
        Assert.DoesNotContain("Fanout.WorkerHost", error.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Equal(worker.Pid, error.Pid);
        Assert.Contains(error.RemoteStackTrace!, error.ToString(), StringComparison.Ordinal);
        Assert.Same(error, Assert.Throws<RemoteException>(() => worker.Result));
    }

    [Fact(Timeout = 20_000)]
    public async Task An_inner_exception_in_the_worker_arrives_as_an_inner_remote_exception()
    {
        var worker = new WorkerProcess(WorkerTargets.FailWithInner);

        worker.Start();
        await worker.JoinAsync();

        var inner = Assert.IsType<RemoteException>(worker.Error!.InnerException);
        Assert.Equal("System.FormatException", inner.RemoteType);
    }

    [Fact(Timeout = 20_000)]
    public async Task Daemon_can_be_set_before_the_start_only_and_a_worker_starts_once()
    {
        var worker = new WorkerProcess(WorkerTargets.Noop);
        worker.Start();

        var daemon = Assert.Throws<InvalidOperationException>(() => worker.Daemon = true);
        var again = Assert.Throws<InvalidOperationException>(worker.Start);
        await worker.JoinAsync();

        Assert.Contains("set Daemon before calling Start()", daemon.Message, StringComparison.Ordinal);
        Assert.Contains("starts once", again.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 5_000)]
    public async Task A_worker_that_was_not_started_cannot_be_joined_or_signalled()
    {
        var worker = new WorkerProcess(WorkerTargets.Noop);

        Assert.Throws<InvalidOperationException>(worker.Join);
        await Assert.ThrowsAsync<InvalidOperationException>(() => worker.JoinAsync());
        Assert.Throws<InvalidOperationException>(worker.Terminate);
        Assert.False(worker.IsAlive);
        Assert.Null(worker.Pid);
        Assert.Null(worker.ExitCode);
    }

    [Fact(Timeout = 20_000)]
    public async Task Cancelling_a_join_stops_the_wait_not_the_worker()
    {
        var worker = new WorkerProcess(WorkerTargets.SleepFor, 30.0);
        worker.Start();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker.JoinAsync(cancel.Token));

        Assert.True(worker.IsAlive);
        worker.Kill();
        await worker.JoinAsync();
    }

    [GeneratedRegex("^Process-([0-9]+)$")]
    private static partial Regex ProcessName();
}

public sealed class WorkerWireSpecs : ProcessTestBase
{
    [Fact(Timeout = 20_000)]
    public async Task Text_and_numbers_the_fast_path_leaves_to_the_serializer_reach_the_worker_unchanged()
    {
        var worker = new WorkerProcess(WireTargets.Echo, "héllo \"quoted\" \\ <tag> \t", 0.1, long.MinValue, null, true);

        worker.Start();
        await worker.JoinAsync();

        Assert.Equal(0, worker.ExitCode);
        Assert.Equal($"héllo \"quoted\" \\ <tag> \t|0.1|{long.MinValue}|null|True", worker.Result);
    }

    [Fact(Timeout = 20_000)]
    public async Task NaN_and_infinities_cross_both_ways()
    {
        var nan = new WorkerProcess(WireTargets.Halve, double.NaN);
        var infinity = new WorkerProcess(WireTargets.Halve, double.NegativeInfinity);

        nan.Start();
        infinity.Start();
        await Task.WhenAll(nan.JoinAsync(), infinity.JoinAsync());

        Assert.True(double.IsNaN(nan.GetResult<double>()));
        Assert.Equal(double.NegativeInfinity, infinity.GetResult<double>());
    }

    [Fact(Timeout = 20_000)]
    public async Task A_generic_method_and_a_method_of_a_generic_class_are_found_in_the_worker_by_name()
    {
        var method = new WorkerProcess(WireTargets.Identity<Point>, new Point(3, 4));
        var ofClass = new WorkerProcess(Box<string>.Twice, "x");

        method.Start();
        ofClass.Start();
        await Task.WhenAll(method.JoinAsync(), ofClass.JoinAsync());

        Assert.Equal(new Point(3, 4), method.GetResult<Point>());
        Assert.Equal(["x", "x"], ofClass.GetResult<string[]>());
    }
}
