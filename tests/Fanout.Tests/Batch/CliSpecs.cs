using System.Globalization;
using System.Text.Json;

namespace Fanout.Tests.Batch;

public sealed class CliSpecs : ProcessTestBase
{
    public static TheoryData<string[]> ParallelCases => new()
    {
        new[] { "echo", "{}", ":::", "a", "b c", "d'e", "f;g", "$HOME", "*", "-n" },
        new[] { "echo", "{1}-{2}", ":::", "x", "y", ":::", "1", "2" },
        new[] { "echo", "{.}", "{/}", "{//}", "{/.}", ":::", "dir/sub/file.tar.gz", "plain", "/abs/x.y" },
        new[] { "echo", "{#}", "{}", ":::", "p", "q", "r" },
        new[] { "echo", "{1}", "{2}", ":::", "a", "b", ":::+", "1", "2" },
        new[] { "printf", "[%s]\\n", ":::", "one two", "" },
        new[] { "echo", ":::", "no template" },
        new[] { "-N2", "echo", "{1}-{2}", "{#}", ":::", "a", "b", "c", "d", "e" },
        new[] { "-j8", "-N", "0", "echo", "hi", "{#}", ":::", "a", "b", "c" },
        new[] { "-n2", "-C,", "echo", "{}", "{3}", ":::", "a,b", "c,d", "e,f" },
        new[] { "--tagstring", "it's {1}/{2.} #{#}", "echo", "hi", ":::", "a b", "c;d", ":::", "x.y" },
        new[] { "--tagstring", "plain", "echo", ":::", "a" },
        new[] { "-j1", "--tagstring", "{%}:{#}", "echo", ":::", "a", "b", "c" },
        new[] { "-j3", "-m", "echo", ":::", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10" },
        new[] { "-j2", "-X", "-s", "30", "echo", "[{}]", "{#}", ":::", "a b", "c;d", "e", "f", "g", "h", "i", "j" },
        new[] { "-j2", "--xargs", "-s", "16", "--tag", "printf", "%s,", ":::", "1", "2", "3", "4", "5", "6", "7" },
        new[] { "--plus", "--tagstring", "{0#}", "echo", "{#}/{##}", "{..}", "{+.}", "{/...}", ":::", "a.b.c", "d/e.f.g.h", "i", "j.k", "l", "m", "n", "o", "p", "q", "r.s.t" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(ParallelCases))]
    public async Task Keep_order_output_is_what_GNU_parallel_prints(string[] words)
    {
        using var cli = new Cli();

        var ours = await cli.RunAsync(["-k", "--quiet", .. words]);
        var theirs = await new ProcessSpec("parallel", ["--will-cite", "-k", .. words]).WithWorkingDirectory(cli.Folder).WithCapturedOutput().WithStdin(Stdio.Null).RunAsync(timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(theirs.StdoutText, ours.StdoutText);
        Assert.Equal(0, ours.ReturnCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Command_lines_come_from_stdin_or_a_file()
    {
        using var cli = new Cli();
        await File.WriteAllTextAsync(cli.File("jobs.txt"), "echo from file 1\necho from file 2\n");

        var fromStdin = await cli.RunWithInputAsync("echo one\necho two | tr a-z A-Z\n", "-k", "--quiet");
        var fromFile = await cli.RunAsync("-k", "--quiet", "-a", "jobs.txt");
        var asArguments = await cli.RunAsync("-k", "--quiet", "-a", "jobs.txt", "echo", "got:");

        Assert.Equal("one\nTWO\n", fromStdin.StdoutText);
        Assert.Equal("from file 1\nfrom file 2\n", fromFile.StdoutText);
        Assert.Equal("got: echo from file 1\ngot: echo from file 2\n", asArguments.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_exit_code_counts_failed_jobs_up_to_101()
    {
        using var cli = new Cli();

        var three = await cli.RunAsync("--quiet", "exit", "{}", ":::", "0", "1", "2", "3");
        var many = await cli.RunAsync(["--quiet", "-j", "8", "exit", "1", ":::", .. Enumerable.Range(0, 120).Select(i => i.ToString(CultureInfo.InvariantCulture))]);

        Assert.Equal(3, three.ReturnCode);
        Assert.Equal(101, many.ReturnCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_summary_names_each_failure_with_its_status_and_last_stderr_lines()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync(TestChild.Path, "err", "first-problem", "err", "{}", "exit", "5", ":::", "final words");

        Assert.Equal(1, result.ReturnCode);
        Assert.Contains("exited with code 5", result.StderrText, StringComparison.Ordinal);
        Assert.Contains("| final words", result.StderrText, StringComparison.Ordinal);
        Assert.Contains("1 jobs: 0 succeeded, 1 failed", result.StderrText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Packing_and_plus_refuse_what_they_cannot_do_and_packing_stops_at_a_value_too_long()
    {
        using var cli = new Cli();

        var limitAlone = await cli.RunAsync("-s", "100", "echo", ":::", "a");
        var positional = await cli.RunAsync("-m", "echo", "{1}", ":::", "a", "b");
        var withPipe = await cli.RunWithInputAsync("a\n", "--pipe", "-X", "cat");
        var tooLong = await cli.RunAsync("-k", "--quiet", "-m", "-s", "12", "echo", ":::", "ab", "abcdefghijkl", "c");
        var overTheMost = await cli.RunAsync("-k", "--quiet", "--xargs", "-s", "100000", "echo", ":::", "a", "b");
        var totalOfBlocks = await cli.RunWithInputAsync("a\n", "--plus", "--pipe", "echo", "{##}");
        var plusWithArgument = await cli.RunAsync("--plus", "echo", "{host}", ":::", "a.gz");
        var plusEdit = await cli.RunAsync("-k", "--quiet", "--plus", "echo", "{1%.gz}", "{2:-none}", ":::", "a.gz", ":::", "");
        var withoutPlus = await cli.RunAsync("-k", "--quiet", "echo", "{%.gz}", ":::", "a.gz");

        Assert.All(new[] { limitAlone, positional, withPipe, tooLong, totalOfBlocks, plusWithArgument }, r => Assert.Equal(255, r.ReturnCode));
        Assert.Contains("'{host}'", plusWithArgument.StderrText, StringComparison.Ordinal);
        Assert.Equal("a none\n", plusEdit.StdoutText);
        Assert.Equal("{%.gz} a.gz\n", withoutPlus.StdoutText);
        Assert.Contains("{##}", totalOfBlocks.StderrText, StringComparison.Ordinal);
        Assert.Contains("-s 100 limits", limitAlone.StderrText, StringComparison.Ordinal);
        Assert.Contains("'{1}'", positional.StderrText, StringComparison.Ordinal);
        Assert.Contains("--pipe", withPipe.StderrText, StringComparison.Ordinal);
        Assert.Contains("Input argument 2 ('abcdefghijkl')", tooLong.StderrText, StringComparison.Ordinal);
        Assert.Equal(0, overTheMost.ReturnCode);
        Assert.Equal("a b\n", overTheMost.StdoutText);
        Assert.Contains("using 63664", overTheMost.StderrText, StringComparison.Ordinal);
    }

    public static TheoryData<string[]> HaltCases => new()
    {
        // fail=1: the failed job's own status, here its exit code and then its signal (128 + 9).
        new[] { "--halt", "now,fail=1", "-j", "3", "sleep {}; exit 3", ":::", "0.1", "20", "20" },
        new[] { "--halt", "now,fail=1", "-j", "3", "sleep {}; kill -9 $$", ":::", "0.1", "20", "20" },
        // fail=N: the failures when it halted; the jobs it stopped do not count, nor one failing after.
        new[] { "--halt", "now,fail=2", "-j", "4", "sleep {}; exit 3", ":::", "0.1", "0.3", "20", "20" },
        new[] { "--halt", "soon,fail=2", "-j", "3", "sleep {}; exit 3", ":::", "0.1", "0.3", "1" },
        // success=N: 0, even after a failure.
        new[] { "--halt", "now,success=1", "-j", "1", "exit {}", ":::", "1", "0", "5" },
        // fail=N%: a percentage of all jobs, which are counted first; the code is the percentage of all jobs that failed.
        new[] { "--halt", "now,fail=50%", "-j", "2", "exit {}", ":::", "1", "0", "1", "0" },
        new[] { "--halt", "now,fail=60%", "-j", "1", "exit {}", ":::", "0", "0", "0", "1", "1", "1", "1", "1", "1", "1" },
        // … a percentage that comes to one job is fail=1: the job's own code.
        new[] { "--halt", "now,fail=10%", "-j", "1", "exit {}", ":::", "0", "0", "0", "0", "0", "0", "0", "0", "0", "4" },
        // … not reached: the percentage of started jobs that failed.
        new[] { "--halt", "soon,fail=50%", "-j", "2", "exit {}", ":::", "1", "1", "0", "0", "0", "0" },
        new[] { "--halt", "now,success=90%", "-j", "1", "exit {}", ":::", "1", "0", "1", "0" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(HaltCases))]
    public async Task A_halted_batch_exits_with_the_code_GNU_parallel_gives(string[] words)
    {
        using var cli = new Cli();

        var ours = await cli.RunAsync(["--quiet", "--grace", "0.2", .. words]);
        var theirs = await new ProcessSpec("parallel", ["--will-cite", .. words]).WithWorkingDirectory(cli.Folder).WithCapturedOutput().WithStdin(Stdio.Null).RunAsync(timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(theirs.ReturnCode, ours.ReturnCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Timeouts_retries_and_halt_work_from_the_command_line()
    {
        using var cli = new Cli();

        var timedOut = await cli.RunAsync("--timeout", "3", "--grace", "0", TestChild.Path, "sleep", "{}", ":::", "30", "0");
        // As in GNU parallel, the template is shell code: the words are joined, not quoted.
        var retried = await cli.RunAsync("--retries", "2", "--retry-delay", "0.05", "echo {} >> tries; [ $(wc -l < tries) -ge 3 ]", ":::", "once");
        var halted = await cli.RunAsync("-j", "1", "--halt", "soon,fail=1", "exit", "{}", ":::", "1", "0", "0", "0");

        Assert.Equal(1, timedOut.ReturnCode);
        Assert.Contains("timed out after", timedOut.StderrText, StringComparison.Ordinal);
        Assert.Equal(0, retried.ReturnCode);
        Assert.Contains("retrying", retried.StderrText, StringComparison.Ordinal);
        Assert.Contains("halting", halted.StderrText, StringComparison.Ordinal);
        Assert.Contains("4 jobs: 0 succeeded, 1 failed, 3 not run", halted.StderrText, StringComparison.Ordinal);
        Assert.Equal(1, halted.ReturnCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Progress_lines_appear_when_stderr_is_not_a_terminal()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("-j", "2", "--progress-interval", "0.2", TestChild.Path, "sleep", "{}", ":::", "0.5", "0.5", "0.5");

        Assert.Matches(@"fanout: \d+/3 done, 0 failed, 0 skipped, \d running, [0-9.]+ jobs/s", result.StderrText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Json_mode_writes_an_event_per_job_and_a_summary()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--json", "-k", "echo", "{}", ":::", "a", "b");

        var events = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["job", "job", "summary"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal(["a\n", "b\n"], events.Take(2).Select(e => e.GetProperty("stdout").GetString()).Order());
        Assert.Equal(2, events[2].GetProperty("succeeded").GetInt32());
    }

    [Fact(Timeout = 60_000)]
    public async Task Tag_prefixes_each_line_and_line_buffer_prints_whole_lines()
    {
        using var cli = new Cli();

        var tagged = await cli.RunAsync("-k", "--quiet", "--tag", TestChild.Path, "out", "1", "out", "2", ":::", "x");
        var live = await cli.RunAsync("--quiet", "--line-buffer", "--tag", TestChild.Path, "out", "{}", "sleep", "0.1", "out", "{}", ":::", "p", "q");

        Assert.Equal("x\t1\nx\t2\n", tagged.StdoutText);
        Assert.Equal(["p\tp", "p\tp", "q\tq", "q\tq"], live.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact(Timeout = 60_000)]
    public async Task Line_buffer_keeps_carriage_returns_and_a_last_line_without_a_newline_as_the_job_wrote_them()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--quiet", "--line-buffer", "printf '10%%\\r100%%\\n{}'", ":::", "last");

        Assert.Equal("10%\r100%\nlast", result.StdoutText);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_run_killed_by_SIGKILL_resumes_without_losing_or_repeating_a_job()
    {
        using var cli = new Cli();
        string[] args = ["--joblog", "log.tsv", "-j", "3", "--quiet", "sleep 0.6; echo {} >> done.txt", ":::", .. Enumerable.Range(1, 30).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        await using (var first = cli.Spec(args).Start())
        {
            // Killed in the middle of the second round of jobs, however long the start-up took: a job
            // that finished in the very milliseconds before the kill, but was not logged yet, would
            // rightly run again, and the test is about the jobs that were done or not started.
            Assert.True(await EventuallyAsync(() => Lines(cli.File("done.txt")) >= 3), "no job finished");
            await Task.Delay(300);
            first.Kill();
            await first.WaitAsync();
        }

        var doneBefore = await File.ReadAllLinesAsync(cli.File("done.txt"));
        Assert.InRange(doneBefore.Length, 1, 29);
        var resumed = await cli.RunAsync(["--resume", .. args]);

        Assert.Equal(0, resumed.ReturnCode);
        var done = await File.ReadAllLinesAsync(cli.File("done.txt"));
        Assert.Equal(Enumerable.Range(1, 30), done.Select(int.Parse).Order());
        var logged = (await File.ReadAllLinesAsync(cli.File("log.tsv"))).Skip(1).Select(l => l.Split('\t')[8]).ToList();
        Assert.Equal(30, logged.Count);
        Assert.Equal(30, logged.Distinct().Count());
    }

    [Fact(Timeout = 60_000)]
    public async Task Ctrl_C_stops_the_jobs_writes_the_summary_and_exits_non_zero()
    {
        using var cli = new Cli();
        await using var run = cli.Spec("--joblog", "log.tsv", "--grace", "0.2", "-j", "2", $"echo x >> started; exec {TestChild.Path} sleep {{}}", ":::", "0", "30", "30").Start();
        // The first job is logged and the next two have started: fanout's signal handlers are in place.
        Assert.True(await EventuallyAsync(() => Lines(cli.File("log.tsv")) == 2 && Lines(cli.File("started")) == 3), "the jobs did not start");

        run.SendSignal(Signal.Interrupt);
        var result = await run.CommunicateAsync(timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(130, result.ReturnCode);
        Assert.Contains("interrupted", result.StderrText, StringComparison.Ordinal);
        Assert.Equal(2, (await File.ReadAllLinesAsync(cli.File("log.tsv"))).Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_second_Ctrl_C_kills_the_running_jobs_at_once()
    {
        using var cli = new Cli();
        await using var run = cli.Spec("--grace", "60", "-j", "2", $"echo x >> started; exec {TestChild.Path} ignore-term out ready sleep {{}}", ":::", "60", "60").Start();
        Assert.True(await EventuallyAsync(() => Lines(cli.File("started")) == 2), "the jobs did not start");
        await Task.Delay(500); // let them install their SIG_IGN
        var clock = System.Diagnostics.Stopwatch.StartNew();

        run.SendSignal(Signal.Interrupt);
        await Task.Delay(300);
        run.SendSignal(Signal.Interrupt);
        var result = await run.CommunicateAsync(timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(130, result.ReturnCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact(Timeout = 60_000)]
    public async Task GNU_parallel_progress_options_are_accepted_and_a_delay_spaces_the_starts()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--bar", "--eta", "--progress", "--delay", "0.2", "-j", "3", "-k", "echo", ":::", "a", "b", "c");

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal("a\nb\nc\n", result.StdoutText);
        Assert.Matches(@"wall (0\.[4-9]|[1-9])", result.StderrText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Environment_and_working_directory_options_reach_every_job()
    {
        using var cli = new Cli();
        Directory.CreateDirectory(cli.File("work"));

        var result = await cli.RunAsync("-k", "--quiet", "--env", "GREETING=hello there", "--workdir", "work", TestChild.Path, "env", "GREETING", "cwd", "env", "FANOUT_SEQ", "env", "PWD", ":::", "x");
        var throughShell = await cli.RunAsync("--quiet", "--workdir", "work", "echo $PWD {}", ":::", "x");

        Assert.Equal($"hello there\n{cli.File("work")}\n1\n{cli.File("work")}\n", result.StdoutText);
        Assert.Equal($"{cli.File("work")} x\n", throughShell.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Env_with_a_name_alone_passes_on_fanouts_own_variable_as_GNU_parallel_does()
    {
        using var cli = new Cli();

        var passed = await cli.Spec("-k", "--quiet", "--env", "PASSED_ON", "--env", "_", TestChild.Path, "env", "PASSED_ON", ":::", "x")
            .WithEnvironment("PASSED_ON", "from fanout").RunAsync(TimeSpan.FromSeconds(60));
        var bad = await cli.RunAsync("--env", "1X", "echo", ":::", "x");

        Assert.Equal("from fanout\n", passed.StdoutText);
        Assert.Equal(255, bad.ReturnCode);
        Assert.Contains("--env '1X'", bad.StderrText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Retry_failed_reruns_only_what_the_job_log_shows_failed_without_the_input()
    {
        using var cli = new Cli();
        File.WriteAllText(cli.File("ok.2"), "");

        // Only job 2 finds its file; 1 and 3 fail.
        var first = await cli.RunAsync("--quiet", "--joblog", "jobs.tsv", "test -e ok.{} && echo ran {}", ":::", "1", "2", "3");
        File.WriteAllText(cli.File("ok.3"), "");
        var retry = await cli.RunAsync("--quiet", "-k", "--joblog", "+jobs.tsv", "--retry-failed"); // GNU parallel's "append" form
        File.WriteAllText(cli.File("ok.1"), "");
        var again = await cli.RunAsync("-k", "--joblog", "jobs.tsv", "--retry-failed");
        var last = await cli.RunAsync("--joblog", "jobs.tsv", "--retry-failed");

        Assert.Equal(2, first.ReturnCode);
        Assert.Equal(1, retry.ReturnCode);
        Assert.Equal("ran 3\n", retry.StdoutText);
        Assert.Equal(0, again.ReturnCode);
        Assert.Equal("ran 1\n", again.StdoutText);
        Assert.Equal(0, last.ReturnCode);
        Assert.Equal("", last.StdoutText);
        Assert.Equal(3 + 2 + 1, File.ReadAllLines(cli.File("jobs.tsv")).Length - 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task Verbose_prints_each_command_on_stderr_as_GNU_parallel_does()
    {
        using var cli = new Cli();
        string[] words = ["-t", "-j1", "-k", "echo", "{}", "{#}", ":::", "a", "b c", "d'e", "$HOME"];

        var ours = await cli.RunAsync(["--quiet", .. words]);
        var theirs = await GnuParallel.Spec(words).WithWorkingDirectory(cli.Folder).RunAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, ours.ReturnCode);
        Assert.Equal(theirs.StderrText, ours.StderrText);
        Assert.Equal(theirs.StdoutText, ours.StdoutText);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-I ,, echo {} ,, {1} ::: a b")]
    [InlineData("-I ,, echo ,, ::: a ::: b")]
    [InlineData("-I {x} echo {x} {1} {1x} ::: a")]
    [InlineData("-I % mv % %.bak {%} ::: a.b")]
    [InlineData("--er EE --bnr B --dnr D --bner BE --seqreplace S --slotreplace L echo EE B D BE S L {.} {/} {#} {%} {1.} ::: d/f.x")]
    [InlineData("-I ,, echo x ::: a b")]
    [InlineData("-I ,, --plus echo ,, {%.x} {..} ::: a.x.y")]
    [InlineData("-I ,, -X echo a,,b ::: 1 2 3")]
    [InlineData("-I ,, --tagstring T,, echo ,, ::: a")]
    public async Task Renamed_replacement_strings_render_as_GNU_parallel_renders_them(string line)
    {
        using var cli = new Cli();

        await PrintsWhatGnuParallelPrintsAsync(cli, ["-k", "-j1", "--dry-run", .. line.Split(' ')]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_renamed_replacement_string_that_is_empty_or_taken_twice_is_a_usage_error()
    {
        using var cli = new Cli();

        var empty = await cli.RunAsync("-I", "", "echo", ":::", "a");
        var twice = await cli.RunAsync("-I", "X", "--er", "X", "echo", ":::", "a");

        Assert.Equal(255, empty.ReturnCode);
        Assert.Contains("(-I) is empty", empty.StderrText, StringComparison.Ordinal);
        Assert.Equal(255, twice.ReturnCode);
        Assert.Contains("'X'", twice.StderrText, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--link echo {1} {2} ::: a b c ::: 1 2")]
    [InlineData("--link echo {1} {2} {3} ::: a b c :::+ 1 2 ::: x")]
    [InlineData("--link -N2 echo {1} {2} {3} {4} ::: a b c ::: 1 2")]
    [InlineData("--xapply echo ::: a b ::: 1 2 3")]
    [InlineData("--link --header : echo {a}-{b} ::: a 1 2 3 ::: b x y")]
    [InlineData("--link echo {} ::: a b :::: lines")]
    public async Task Link_pairs_every_source_and_wraps_the_shorter_as_GNU_parallel_does(string line)
    {
        using var cli = new Cli();
        File.WriteAllText(cli.File("lines"), "l1\nl2\nl3\nl4\nl5\n");

        await PrintsWhatGnuParallelPrintsAsync(cli, ["-k", "-j1", "--dry-run", .. line.Split(' ')]);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("echo {choose_k} {#} ::: A B C D ::: A B C D ::: A B C D")]
    [InlineData("echo {uniq} {#} ::: A B C ::: A B C")]
    [InlineData("-N2 echo {uniq} {#} ::: A B A C D D E")]
    [InlineData("echo {2choose_k} {choose_k} ::: 10 9 ::: 10 9 1")]
    public async Task Plus_choose_k_and_uniq_skip_the_jobs_GNU_parallel_skips_and_count_them(string line)
    {
        using var cli = new Cli();

        await PrintsWhatGnuParallelPrintsAsync(cli, ["-k", "-j1", "--plus", .. line.Split(' ')]);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-r echo [{}] :::: blanks")]
    [InlineData("-r echo [{1}{2}] ::: a b :::: blanks")]
    [InlineData("-d , echo [{}] :::: commas")]
    [InlineData("-d :: echo [{}] :::: colons")]
    [InlineData("-d \\t echo [{}] :::: tabs")]
    [InlineData("-d \\012 echo [{}] :::: lines")]
    [InlineData("-d \\101 echo [{}] :::: letters")]
    [InlineData("-d \\x41 echo [{}] :::: letters")]
    [InlineData("-r -0 echo [{}] :::: nuls")]
    [InlineData("-r -d , echo [{}] :::: commas")]
    [InlineData("-E STOP echo [{1}{2}] :::: stop :::: lines")]
    [InlineData("-E l2 echo [{1}{2}] :::: stop :::: lines")]
    [InlineData("-E a echo [{1}{2}] ::: a b ::: x y")]
    [InlineData("-E b echo [{}] ::: a b c")]
    [InlineData("-E STOP -a stop")]
    [InlineData("--arg-sep ,, echo ,, a b ,, x y")]
    [InlineData("--arg-sep ,, echo ,, a b ,,+ x y")]
    [InlineData("--arg-sep ,, echo ::: a")]
    [InlineData("--arg-file-sep ,,,, echo ,,,, lines stop")]
    [InlineData("--arg-file-sep ,,,, -a lines echo")]
    [InlineData("-r --pipe wc -l <blanks")]
    [InlineData("-r --pipe -N1 cat <blanks")]
    [InlineData("-r --pipe --block 3 cat <blanks")]
    [InlineData("-r echo <blanks")]
    [InlineData("-E STOP <stop")]
    public async Task Delimiters_end_markers_blank_values_and_markers_work_as_in_GNU_parallel(string line)
    {
        using var cli = new Cli();
        File.WriteAllText(cli.File("blanks"), "a\n\n  \n\t\nb\n\n");
        File.WriteAllText(cli.File("commas"), "a,b c,, ,d\n");
        File.WriteAllText(cli.File("colons"), "p::q:::r");
        File.WriteAllText(cli.File("tabs"), "a\tb\t\tc");
        File.WriteAllText(cli.File("lines"), "l1\nl2\nl3\n");
        File.WriteAllText(cli.File("letters"), "aAbAc");
        File.WriteAllText(cli.File("nuls"), "x\0 \0\0y z\0");
        File.WriteAllText(cli.File("stop"), "echo s1\nSTOP\necho s2\n");

        await PrintsWhatGnuParallelPrintsAsync(cli, ["-k", "-j1", .. line.Split(' ')]);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--cat -N1 wc -l < {} <blanks")]
    [InlineData("--cat -N2 sh -c 'cat $0' <blanks")]
    [InlineData("--cat --block 3 cat <blanks")]
    [InlineData("--cat --dry-run -N1 cat <blanks")]
    [InlineData("--fifo -N1 cat {} <blanks")]
    [InlineData("--fifo -N2 head -1 <blanks")]
    public async Task Blocks_in_a_temporary_file_or_a_named_pipe_reach_the_job_as_in_GNU_parallel(string line)
    {
        using var cli = new Cli();
        File.WriteAllText(cli.File("blanks"), "a\n\n  \n\t\nb\n\n");

        await PrintsWhatGnuParallelPrintsAsync(cli, ["-k", "-j1", "--pipe", .. line.Split(' ')]);
    }

    // A job that never opens its named pipe: GNU parallel waits for it forever; fanout lets it end.
    // What GNU parallel prints for these (run by hand: under the test runner GNU parallel's --tee waits forever).
    [Theory(Timeout = 60_000)]
    [InlineData("grep {} | wc -l ::: 1 2 3", "numbers", "20\n19\n19\n")]
    [InlineData("--tag grep {1} | wc {2} ::: 1 2 ::: -l -c", "numbers", "1 -l\t20\n1 -c\t60\n2 -l\t19\n2 -c\t56\n")]
    [InlineData("-j2 echo {#}; wc -l ::: a b", "five", "1\n5\n2\n5\n")]
    [InlineData("echo x; wc -l ::: a b", "empty", "x\n0\nx\n0\n")]
    public async Task Tee_gives_all_of_standard_input_to_every_job(string line, string input, string expected)
    {
        using var cli = new Cli();
        File.WriteAllText(cli.File("numbers"), string.Concat(Enumerable.Range(1, 100).Select(i => $"{i}\n")));
        File.WriteAllText(cli.File("five"), "1\n2\n3\n4\n5\n");
        File.WriteAllText(cli.File("empty"), "");

        var result = await cli.Spec(["--quiet", "-k", "--pipe", "--tee", .. line.Split(' ')]).WithStdin(Stdio.ReadFile(cli.File(input))).RunAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ReturnCode);
        Assert.Equal(expected, result.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Temporary_files_and_named_pipes_are_removed_however_the_jobs_end()
    {
        using var cli = new Cli();
        var temporary = Directory.CreateDirectory(cli.File("tmp")).FullName;
        var input = string.Concat(Enumerable.Range(1, 400).Select(i => $"line {i}\n"));

        // Jobs that read all, read one line, never open the pipe, fail, and run past their timeout.
        foreach (var delivery in new[] { "--cat", "--fifo" })
        {
            // The folder comes from $TMPDIR for one, from --tmpdir (which wins over it) for the other.
            string[] folder = delivery == "--cat" ? [] : ["--tmpdir", temporary];
            var result = await cli.Spec(["--quiet", "-j4", "--pipe", delivery, .. folder, "-N", "50", "--timeout", "2",
                    "case {#} in 1) cat {} >/dev/null;; 2) head -1 {};; 3) exit 3;; 4) sleep 30;; *) wc -l < {}; dirname {};; esac"])
                .WithEnvironment("TMPDIR", delivery == "--cat" ? temporary : cli.Folder).WithStdin(Stdio.Pipe)
                .RunAsync(TimeSpan.FromSeconds(60), input: System.Text.Encoding.UTF8.GetBytes(input));

            Assert.Equal(2, result.ReturnCode); // job 3 failed, job 4 timed out
            Assert.Contains("line 51\n", result.StdoutText, StringComparison.Ordinal);
            Assert.Equal(4, result.StdoutText.Split('\n').Count(l => l == "50"));
            Assert.Equal(4, result.StdoutText.Split('\n').Count(l => l == temporary));
            Assert.Empty(Directory.GetFileSystemEntries(temporary));
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--will-cite --no-notice --group -g --silent", "")]
    [InlineData("--keeporder --halt-on-error never --wd . --col-sep , --maxargs 1", "-k --halt never --workdir . --colsep , --max-args 1")]
    [InlineData("--lb", "--line-buffer")]
    [InlineData("--dryrun --max-replace-args=2 --tag-string T", "--dry-run -N 2 --tagstring T")]
    [InlineData("-k --nok", "")]
    public async Task GNU_parallels_other_spellings_and_notice_options_run_as_fanouts_own(string gnu, string fanout)
    {
        using var cli = new Cli();
        string[] job = ["-j1", "echo {1}-{2}", ":::", "c", "a", "b", ":::", "x,y"];

        var withGnuSpelling = await cli.RunAsync(["--quiet", .. gnu.Split(' '), .. job]);
        var withOwn = await cli.RunAsync(["--quiet", .. fanout.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. job]);

        Assert.Equal(0, withGnuSpelling.ReturnCode);
        Assert.Equal(withOwn.StdoutText, withGnuSpelling.StdoutText);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--sshlogin server", "--sshlogin", "ssh")]
    [InlineData("-Sserver", "-S", "ssh")]
    [InlineData("--semaphore", "--semaphore", "-j")]
    [InlineData("--tmux", "--tmux", "terminal")]
    [InlineData("-q", "-q", "--no-shell")]
    [InlineData("--citation", "--citation", "citation")]
    public async Task GNU_parallels_options_fanout_lacks_are_refused_with_what_to_do_instead(string words, string name, string advice)
    {
        using var cli = new Cli();

        var result = await cli.RunAsync([.. words.Split(' '), "echo", ":::", "a"]);

        Assert.Equal(255, result.ReturnCode);
        Assert.Contains($"GNU parallel's {name} is not supported", result.StderrText, StringComparison.Ordinal);
        Assert.Contains(advice, result.StderrText, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("now,done=1", "3 0")]
    [InlineData("now,done=1", "0 3")]
    [InlineData("soon,done=2", "3 4 0")]
    [InlineData("soon,done=50%", "3 0 0 0")]
    [InlineData("1", "0 3 0")]
    [InlineData("2", "0 3 0")]
    [InlineData("-1", "3 0 0")]
    [InlineData("-2", "3 0 0")]
    [InlineData("0", "3 0")]
    [InlineData("50%", "3 0 0 0")]
    public async Task Halt_on_finished_jobs_and_GNU_parallels_short_forms_stop_and_exit_as_GNU_parallel_does(string halt, string statuses)
    {
        using var cli = new Cli();
        string[] words = ["-j1", "--halt", halt, "echo {}; exit {}", ":::", .. statuses.Split(' ')];

        var ours = await cli.RunAsync(["--quiet", .. words]);
        var theirs = await GnuParallel.Spec(words).WithWorkingDirectory(cli.Folder).RunAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(theirs.StdoutText, ours.StdoutText);
        Assert.Equal(theirs.ReturnCode, ours.ReturnCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Values_ending_in_CR_draw_a_warning_that_names_the_delimiter_to_give()
    {
        using var cli = new Cli();

        var plain = await cli.RunWithInputAsync("a\r\nb\r\nc\r\n", "--quiet", "-k", "printf", "[%s]", "{}");
        var delimited = await cli.RunWithInputAsync("a\r\nb\r\nc\r\n", "--quiet", "-k", "-d", "\\r\\n", "printf", "[%s]", "{}");

        Assert.Equal("[a\r][b\r][c\r]", plain.StdoutText);
        Assert.Contains("-d '\\r\\n'", plain.StderrText, StringComparison.Ordinal);
        Assert.Equal("[a][b][c]", delimited.StdoutText);
        Assert.Equal("", delimited.StderrText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Input_delimiters_and_markers_that_cannot_work_are_usage_errors_and_P_is_j()
    {
        using var cli = new Cli();

        var emptyDelimiter = await cli.RunAsync("-d", "", "echo", ":::", "a");
        var twoDelimiters = await cli.RunAsync("-0", "-d", ",", "echo", ":::", "a");
        var delimiterWithPipe = await cli.RunAsync("--pipe", "-d", ",", "cat");
        var ambiguousMarkers = await cli.RunAsync("--arg-sep", ",,", "--arg-file-sep", ",,+", "echo", ",,", "a");
        var emptyMarker = await cli.RunAsync("--arg-sep", "", "echo", ":::", "a");
        var maxProcs = await cli.RunAsync("--quiet", "-k", "-P", "1", "echo", ":::", "a", "b");
        var linesAndStart = await cli.RunAsync("--pipe", "-L", "2", "--recstart", ">", "cat");

        Assert.All(new[] { emptyDelimiter, twoDelimiters, delimiterWithPipe, ambiguousMarkers, emptyMarker, linesAndStart }, r => Assert.Equal(255, r.ReturnCode));
        Assert.Contains("--recstart", linesAndStart.StderrText, StringComparison.Ordinal);
        Assert.Contains("-d ''", emptyDelimiter.StderrText, StringComparison.Ordinal);
        Assert.Contains("-0 and -d ','", twoDelimiters.StderrText, StringComparison.Ordinal);
        Assert.Contains("--recend", delimiterWithPipe.StderrText, StringComparison.Ordinal);
        Assert.Contains("',,+'", ambiguousMarkers.StderrText, StringComparison.Ordinal);
        Assert.Contains("--arg-sep ''", emptyMarker.StderrText, StringComparison.Ordinal);
        Assert.Equal("a\nb\n", maxProcs.StdoutText); // -P is GNU parallel's other name for -j
    }

    /// <summary>
    /// Runs the same words through fanout (quietly) and GNU parallel, in the same folder, and
    /// compares their stdout. A last word <c>&lt;name</c> gives both the file of that name as stdin.
    /// </summary>
    private static async Task PrintsWhatGnuParallelPrintsAsync(Cli cli, string[] words)
    {
        var stdin = Stdio.Null;
        if (words is [.., ['<', .. var name]])
        {
            stdin = Stdio.ReadFile(cli.File(name));
            words = words[..^1];
        }

        var ours = await cli.Spec(["--quiet", .. words]).WithStdin(stdin).RunAsync(TimeSpan.FromSeconds(60));
        var theirs = await GnuParallel.Spec(words).WithWorkingDirectory(cli.Folder).WithStdin(stdin).RunAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, ours.ReturnCode);
        Assert.Equal(theirs.StdoutText, ours.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task Shuf_runs_every_job_once_in_a_random_order_numbered_as_they_run()
    {
        using var cli = new Cli();
        var values = Enumerable.Range(1, 40).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

        var result = await cli.RunAsync(["--quiet", "--shuf", "-k", "-j1", "echo", "{#}", "{}", ":::", .. values]);

        var lines = result.StdoutText.TrimEnd('\n').Split('\n').Select(l => l.Split(' ')).ToList();
        Assert.Equal(0, result.ReturnCode);
        Assert.Equal(values, lines.Select(l => l[0]));                     // numbered in run order
        Assert.Equal(values, lines.Select(l => l[1]).Order(StringComparer.Ordinal).OrderBy(v => v.Length)); // each value once
        Assert.NotEqual(values, lines.Select(l => l[1]));                  // 1 chance in 40! of failing
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-N", "2")]
    [InlineData("-m", "-j4")]
    public async Task Shuf_shuffles_the_arguments_before_they_are_grouped_as_GNU_parallel_does(string option, string value)
    {
        using var cli = new Cli();
        var values = Enumerable.Range(1, 40).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

        var result = await cli.RunAsync(["--quiet", "--shuf", "-k", option, value, "echo", ":::", .. values]);

        var jobs = result.StdoutText.TrimEnd('\n').Split('\n').Select(l => l.Split(' ').Select(int.Parse).ToArray()).ToList();
        Assert.Equal(0, result.ReturnCode);
        Assert.Equal(Enumerable.Range(1, 40), jobs.SelectMany(j => j).Order());   // each value once
        Assert.Contains(jobs, j => j.Zip(j.Skip(1)).Any(p => p.Second != p.First + 1)); // not runs of neighbours: 1 chance in ~10^20 of failing
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-k")]
    [InlineData("--line-buffer")]
    public async Task A_tagstring_names_the_slot_each_job_ran_in(string output)
    {
        using var cli = new Cli();

        // Each job prints the slot it was given; the tag must name the same one.
        var result = await cli.RunAsync(["--quiet", "-j3", output, "--tagstring", "slot{%}", "echo $PARALLEL_JOBSLOT; sleep 0.{}", ":::", "1", "2", "3", "1", "2", "3", "1"]);

        Assert.Equal(0, result.ReturnCode);
        var lines = result.StdoutText.TrimEnd('\n').Split('\n');
        Assert.Equal(7, lines.Length);
        Assert.All(lines, line => Assert.Equal("slot" + line.Split('\t')[1], line.Split('\t')[0]));
        Assert.Contains(lines, line => line.StartsWith("slot2", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Nice_lowers_the_priority_of_the_jobs_and_what_they_start()
    {
        using var cli = new Cli();

        var normal = await cli.RunAsync("--quiet", "nice; true", ":::", "x");
        var nice = await cli.RunAsync("--quiet", "--nice", "7", "sh -c nice; true", ":::", "x");
        var tooNice = await cli.RunAsync("--nice", "20", "true", ":::", "x");

        var baseline = int.Parse(normal.StdoutText.Trim(), CultureInfo.InvariantCulture);
        Assert.Equal(Math.Min(19, baseline + 7), int.Parse(nice.StdoutText.Trim(), CultureInfo.InvariantCulture));
        Assert.Equal(255, tooNice.ReturnCode);
        Assert.Contains("--nice 20", tooNice.StderrText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Ungrouped_output_reaches_fanouts_stdout_while_the_job_still_runs()
    {
        using var cli = new Cli();

        // The job waits for a file the test creates only once it has seen the job's first line.
        using var run = cli.Spec("-u", "--quiet", "echo started {}; while [ ! -e go ]; do sleep 0.05; done; echo done {}", ":::", "x").Start();
        await using var lines = run.ReadLinesAsync().GetAsyncEnumerator();

        Assert.True(await lines.MoveNextAsync());
        Assert.Equal("started x", lines.Current);
        File.WriteAllText(cli.File("go"), "");
        Assert.True(await lines.MoveNextAsync());
        Assert.Equal("done x", lines.Current);
        Assert.Equal(0, (await run.WaitAsync()).ReturnCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Usage_errors_exit_255_with_a_message_naming_the_input()
    {
        using var cli = new Cli();

        var unknown = await cli.RunAsync("--frobnicate", "echo", ":::", "a");
        var missingFile = await cli.RunAsync("echo", "::::", "no-such-file.txt");
        var badPosition = await cli.RunAsync("echo", "{3}", ":::", "a", ":::", "b");
        var badHalt = await cli.RunAsync("--halt", "sometimes", "echo", ":::", "a");
        var resumeWithoutLog = await cli.RunAsync("--resume", "echo", ":::", "a");
        var negativePerJob = await cli.RunAsync("-N", "-1", "echo", ":::", "a");
        var perJobWithHeader = await cli.RunAsync("-N2", "--header", ":", "echo", ":::", "h", "a");
        var beyondPerJob = await cli.RunAsync("-N2", "echo", "{3}", ":::", "a", "b");
        var retryWithoutLog = await cli.RunAsync("--retry-failed");
        var ungroupedInOrder = await cli.RunAsync("-u", "-k", "echo", ":::", "a");
        var retryWithCommand = await cli.RunAsync("--retry-failed", "--joblog", "j.tsv", "echo", ":::", "a");

        Assert.All(new[] { unknown, missingFile, badPosition, badHalt, resumeWithoutLog, negativePerJob, perJobWithHeader, beyondPerJob, retryWithoutLog, retryWithCommand, ungroupedInOrder }, r => Assert.Equal(255, r.ReturnCode));
        Assert.Contains("-N -1", negativePerJob.StderrText, StringComparison.Ordinal);
        Assert.Contains("--header", perJobWithHeader.StderrText, StringComparison.Ordinal);
        Assert.Contains("only 2 values", beyondPerJob.StderrText, StringComparison.Ordinal);
        Assert.Contains("--joblog", retryWithoutLog.StderrText, StringComparison.Ordinal);
        Assert.Contains("give no command", retryWithCommand.StderrText, StringComparison.Ordinal);
        Assert.Contains("-u (--ungroup)", ungroupedInOrder.StderrText, StringComparison.Ordinal);
        Assert.Contains("--frobnicate", unknown.StderrText, StringComparison.Ordinal);
        Assert.Contains("no-such-file.txt", missingFile.StderrText, StringComparison.Ordinal);
        Assert.Contains("{3}", badPosition.StderrText, StringComparison.Ordinal);
        Assert.Contains("sometimes", badHalt.StderrText, StringComparison.Ordinal);
        Assert.Contains("--joblog", resumeWithoutLog.StderrText, StringComparison.Ordinal);
    }

    private static int Lines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600; i++)
        {
            if (condition())
                return true;
            await Task.Delay(50);
        }

        return false;
    }
}
