using System.Text;

namespace Fanout.Tests;

public sealed class StartSpecs : ProcessTestBase
{
    [Fact(Timeout = 10_000)]
    public async Task StartTime_is_the_moment_of_the_start_in_local_time()
    {
        var before = DateTimeOffset.Now;
        using var child = TestChild.Spec("exit", "0").Start();
        var after = DateTimeOffset.Now;
        await child.WaitAsync();

        Assert.InRange(child.StartTime, before, after);
        Assert.Equal(before.Offset, child.StartTime.Offset);
    }

    [Fact(Timeout = 30_000)]
    public async Task I_can_run_a_program_and_capture_its_output()
    {
        var result = await TestChild.Spec("out", "Hello from the child!").WithCapturedOutput().RunAsync();

        Assert.Equal("Hello from the child!\n", result.StdoutText);
        Assert.True(result.Status.Success);
        Assert.Equal(0, result.ReturnCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Arguments_reach_the_child_exactly_as_given()
    {
        string[] tricky = ["two words", "", "quote's \"double\"", "semi;colon $HOME `x`", "ünïcødé ✓", "*", "-n"];

        var result = await TestChild.Spec(["args", .. tricky]).WithCapturedOutput().RunAsync();

        Assert.Equal(tricky, result.StdoutText.Split('\n')[..^1]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_program_name_without_a_slash_is_found_in_PATH()
    {
        var result = await new ProcessSpec("echo", "found").WithCapturedOutput().RunAsync(check: true);

        Assert.Equal("found\n", result.StdoutText);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_PATH_of_the_child_environment_is_the_one_searched()
    {
        var dir = Directory.CreateTempSubdirectory("fanout-path-").FullName;
        try
        {
            File.CreateSymbolicLink(Path.Combine(dir, "my-tool"), TestChild.Path);

            var result = await new ProcessSpec("my-tool", "out", "via PATH").WithEnvironment("PATH", dir).WithCapturedOutput().RunAsync();

            Assert.Equal("via PATH\n", result.StdoutText);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_program_fails_at_start_naming_it()
    {
        await Task.Yield();
        var error = Assert.Throws<ProcessStartException>(() => new ProcessSpec("no-such-program-xyz").Start());

        Assert.Equal("no-such-program-xyz", error.Program);
        Assert.Contains("'no-such-program-xyz'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not found in PATH", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Errno);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_program_path_fails_at_start_naming_it()
    {
        await Task.Yield();
        var error = Assert.Throws<ProcessStartException>(() => new ProcessSpec("/no/such/dir/prog").Start());

        Assert.Contains("/no/such/dir/prog", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such file", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_directory_as_program_fails_at_start()
    {
        await Task.Yield();
        var error = Assert.Throws<ProcessStartException>(() => new ProcessSpec("/tmp").Start());

        Assert.Contains("'/tmp'", error.Message, StringComparison.Ordinal);
        Assert.Contains("directory", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_file_that_is_not_executable_fails_at_start()
    {
        await Task.Yield();
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<ProcessStartException>(() => new ProcessSpec(file).Start());

            Assert.Contains("not executable", error.Message, StringComparison.Ordinal);
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task An_executable_file_with_no_format_fails_at_start_instead_of_exiting_127()
    {
        await Task.Yield();
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, [0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

            var error = Assert.Throws<ProcessStartException>(() => new ProcessSpec(file).Start());

            Assert.Contains(file, error.Message, StringComparison.Ordinal);
            Assert.NotNull(error.Errno);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_working_directory_fails_at_start_naming_it()
    {
        await Task.Yield();
        var error = Assert.Throws<ProcessStartException>(() => TestChild.Spec("cwd").WithWorkingDirectory("/no/such/place").Start());

        Assert.Contains("'/no/such/place'", error.Message, StringComparison.Ordinal);
        Assert.Contains("working directory", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_missing_input_file_fails_at_start_naming_it()
    {
        await Task.Yield();
        var error = Assert.Throws<ProcessStartException>(() => TestChild.Spec("cat").WithStdin(Stdio.ReadFile("/no/such/input.txt")).Start());

        Assert.Contains("/no/such/input.txt", error.Message, StringComparison.Ordinal);
        Assert.Contains("standard input", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_NUL_character_is_refused_where_it_is_given()
    {
        await Task.Yield();
        var inArgument = Assert.Throws<ArgumentException>(() => new ProcessSpec("echo", "ok", "bad\0arg"));
        var inProgram = Assert.Throws<ArgumentException>(() => new ProcessSpec("ec\0ho"));
        var inValue = Assert.Throws<ArgumentException>(() => new ProcessSpec("echo").WithEnvironment("NAME", "a\0b"));
        var inName = Assert.Throws<ArgumentException>(() => new ProcessSpec("echo").WithEnvironment("NA=ME", "ab"));
        var inDirectory = Assert.Throws<ArgumentException>(() => new ProcessSpec("echo").WithWorkingDirectory("/tmp\0x"));

        Assert.Contains("argument 1", inArgument.Message, StringComparison.Ordinal);
        Assert.Contains("program", inProgram.Message, StringComparison.Ordinal);
        Assert.Contains("NAME", inValue.Message, StringComparison.Ordinal);
        Assert.Contains("'NA=ME'", inName.Message, StringComparison.Ordinal);
        Assert.Contains("working directory", inDirectory.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_environment_can_be_set_removed_or_replaced()
    {
        Environment.SetEnvironmentVariable("FANOUT_INHERITED", "from parent");
        try
        {
            var inherited = await TestChild.Spec("env", "FANOUT_INHERITED").WithCapturedOutput().RunAsync();
            var set = await TestChild.Spec("env", "FANOUT_SET").WithEnvironment("FANOUT_SET", "value = x").WithCapturedOutput().RunAsync();
            var removed = await TestChild.Spec("env", "FANOUT_INHERITED").WithoutEnvironment("FANOUT_INHERITED").WithCapturedOutput().RunAsync();
            var replaced = await TestChild.Spec("env", "FANOUT_INHERITED", "env", "ONLY")
                .WithEnvironmentReplaced([new("ONLY", "this")]).WithCapturedOutput().RunAsync();

            Assert.Equal("from parent\n", inherited.StdoutText);
            Assert.Equal("value = x\n", set.StdoutText);
            Assert.Equal("<unset>\n", removed.StdoutText);
            Assert.Equal("<unset>\nthis\n", replaced.StdoutText);
        }
        finally
        {
            Environment.SetEnvironmentVariable("FANOUT_INHERITED", null);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_working_directory_is_the_one_given()
    {
        var dir = Directory.CreateTempSubdirectory("fanout-cwd-").FullName;
        try
        {
            var result = await TestChild.Spec("cwd").WithWorkingDirectory(dir).WithCapturedOutput().RunAsync();

            Assert.Equal(dir + "\n", result.StdoutText);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_child_inherits_no_descriptor_of_ours_but_its_three()
    {
        await using var holder = TestChild.Spec("sleep", "30").WithStdin(Stdio.Pipe).WithCapturedOutput().Start();
        var ours = Directory.GetFiles("/proc/self/fd").Select(f => new FileInfo(f).LinkTarget).OfType<string>()
            .Where(t => t.StartsWith("pipe:", StringComparison.Ordinal)).ToHashSet();

        var result = await TestChild.Spec("fds").WithCapturedOutput().RunAsync();

        var leaked = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => ours.Contains(line.Split(' ')[1])).ToList();
        Assert.Empty(leaked);
        holder.Kill();
        await holder.WaitAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task Descriptors_a_process_inherited_without_close_on_exec_do_not_reach_its_children()
    {
        var file = Path.GetTempFileName();
        try
        {
            // The shell opens 9 without close-on-exec and becomes the test child, which inherits it and starts a grandchild.
            var result = await ProcessSpec.Shell($"exec 9<'{file}'; exec '{TestChild.Path}' fds out --- spawn-fds").WithCapturedOutput().RunAsync(check: true);

            var parts = result.StdoutText.Split("---\n");
            Assert.Contains($"9 {file}\n", parts[0], StringComparison.Ordinal);
            Assert.DoesNotContain(file, parts[1], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 30_000)]
    public Task A_handle_without_close_on_exec_given_as_a_stream_reaches_the_child_only_as_that_stream() =>
        WithHandleWithoutCloseOnExec(FileAccess.Read, async (handle, file) =>
        {
            var fd = handle.DangerousGetHandle();
            var listed = (await TestChild.Spec("fds").WithStdin(Stdio.FromHandle(handle)).WithCapturedOutput().RunAsync(check: true)).StdoutText;

            Assert.Contains(" pipe:", listed, StringComparison.Ordinal); // the runtime's own, so the listing did run
            // The child's runtime may hold a copy of its stdin under a number of its own; the parent's number must not be there.
            Assert.DoesNotContain($"{fd} {file}", listed, StringComparison.Ordinal);
        });

    [Fact(Timeout = 30_000)]
    public Task A_handle_without_close_on_exec_given_to_one_child_does_not_reach_its_siblings() =>
        WithHandleWithoutCloseOnExec(FileAccess.Write, async (handle, file) =>
        {
            await using var holder = TestChild.Spec("sleep", "30").WithStdout(Stdio.FromHandle(handle)).Start();
            var listed = (await TestChild.Spec("fds").WithCapturedOutput().RunAsync(check: true)).StdoutText;
            holder.Kill();
            await holder.WaitAsync();

            Assert.Contains(" pipe:", listed, StringComparison.Ordinal);
            Assert.DoesNotContain(file, listed, StringComparison.Ordinal);
        });

    /// <summary>Runs <paramref name="test"/> with a handle to a temporary file that lacks close-on-exec, as native code may open one.</summary>
    private static async Task WithHandleWithoutCloseOnExec(FileAccess access, Func<Microsoft.Win32.SafeHandles.SafeFileHandle, string, Task> test)
    {
        var file = Path.GetTempFileName();
        try
        {
            using var handle = File.OpenHandle(file, FileMode.Open, access);
            Assert.Equal(0, Fanout.Interop.Libc.fcntl(handle, Fanout.Interop.Libc.F_SETFD, 0));
            await test(handle, file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Signals_ignored_by_dotnet_are_restored_to_default_in_the_child()
    {
        // .NET ignores SIGPIPE; an ignored signal survives exec unless the spawn resets it.
        var result = await new ProcessSpec("grep", "SigIgn", "/proc/self/status").WithCapturedOutput().RunAsync(check: true);

        // glibc keeps its two internal real-time signals (32, 33) ignored; the standard ones must be default.
        var mask = Convert.ToUInt64(result.StdoutText.Split('\t')[1].Trim(), 16);
        Assert.Equal(0UL, mask & 0x7fffffffUL);
    }

    [Fact(Timeout = 30_000)]
    public async Task Standard_streams_can_go_to_files_null_or_be_merged()
    {
        var dir = Directory.CreateTempSubdirectory("fanout-files-").FullName;
        try
        {
            var output = Path.Combine(dir, "out.txt");
            var input = Path.Combine(dir, "in.txt");
            await File.WriteAllTextAsync(input, "from a file\n");

            await TestChild.Spec("cat", "err", "to stderr").WithStdin(Stdio.ReadFile(input)).WithStdout(Stdio.WriteFile(output)).WithStderr(Stdio.MergeWithStdout).RunAsync(check: true);
            await TestChild.Spec("out", "appended").WithStdout(Stdio.AppendFile(output)).RunAsync(check: true);
            var silent = await TestChild.Spec("count-stdin").WithStdin(Stdio.Null).WithCapturedOutput().RunAsync();
            var discarded = await TestChild.Spec("out", "gone").WithStdout(Stdio.Null).RunAsync();

            Assert.Equal("from a file\nto stderr\nappended\n", await File.ReadAllTextAsync(output));
            Assert.Equal("0\n", silent.StdoutText);
            Assert.True(discarded.Status.Success);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_dotnet_stream_can_feed_stdin_and_receive_stdout()
    {
        var source = new MemoryStream(Encoding.UTF8.GetBytes("through streams\n"));
        var sink = new MemoryStream();

        await using var child = TestChild.Spec("cat").WithStdin(Stdio.FromStream(source)).WithStdout(Stdio.FromStream(sink)).Start();
        var status = await child.WaitAsync();

        Assert.True(status.Success);
        Assert.Equal("through streams\n", Encoding.UTF8.GetString(sink.ToArray()));
    }

    [Fact(Timeout = 60_000)]
    public Task Running_out_of_descriptors_is_a_clear_error() => Task.Run(RunOutOfDescriptors);

    private static unsafe void RunOutOfDescriptors()
    {
        Interop.Libc.RLimit original;
        Interop.Libc.getrlimit(Interop.Libc.RLIMIT_NOFILE, &original);
        var open = Directory.GetFiles("/proc/self/fd").Length;
        var children = new List<ChildProcess>();
        ProcessStartException? error = null;
        var low = new Interop.Libc.RLimit { Current = (ulong)open + 40, Maximum = original.Maximum };
        Interop.Libc.setrlimit(Interop.Libc.RLIMIT_NOFILE, &low);
        try
        {
            for (var i = 0; i < 100 && error is null; i++)
            {
                try
                {
                    children.Add(TestChild.Spec("sleep", "30").WithStdin(Stdio.Pipe).WithCapturedOutput().Start());
                }
                catch (ProcessStartException e)
                {
                    error = e;
                }
            }
        }
        finally
        {
            Interop.Libc.setrlimit(Interop.Libc.RLIMIT_NOFILE, &original);
            foreach (var child in children)
            {
                child.Kill();
                child.Wait();
                child.Dispose();
            }
        }

        Assert.NotNull(error);
        Assert.Contains("out of file descriptors", error.Message, StringComparison.Ordinal);
        Assert.Contains("RLIMIT_NOFILE", error.Message, StringComparison.Ordinal);
    }
}
