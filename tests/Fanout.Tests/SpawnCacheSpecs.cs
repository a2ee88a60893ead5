namespace Fanout.Tests;

/// <summary>
/// Starting a child reuses work from earlier starts (the marshalled environment, PATH searches);
/// these show that a change between two starts is always seen by the second.
/// </summary>
public sealed class SpawnCacheSpecs : ProcessTestBase
{
    /// <summary>Longer than the time the PATH cache waits for file times to settle before it remembers a search.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2.5);

    [Fact(Timeout = 30_000)]
    public async Task A_variable_set_changed_or_removed_between_two_starts_is_seen_by_the_second()
    {
        var spec = TestChild.Spec("env", "FANOUT_CACHE_VAR").WithCapturedOutput();
        try
        {
            Environment.SetEnvironmentVariable("FANOUT_CACHE_VAR", "first");
            var first = await spec.RunAsync();
            var again = await spec.RunAsync();
            Environment.SetEnvironmentVariable("FANOUT_CACHE_VAR", "second");
            var changed = await spec.RunAsync();
            Environment.SetEnvironmentVariable("FANOUT_CACHE_VAR", null);
            var removed = await spec.RunAsync();
            Environment.SetEnvironmentVariable("FANOUT_CACHE_VAR", "back");
            var setAgain = await spec.RunAsync();

            Assert.Equal("first\n", first.StdoutText);
            Assert.Equal("first\n", again.StdoutText);
            Assert.Equal("second\n", changed.StdoutText);
            Assert.Equal("<unset>\n", removed.StdoutText);
            Assert.Equal("back\n", setAgain.StdoutText);
        }
        finally
        {
            Environment.SetEnvironmentVariable("FANOUT_CACHE_VAR", null);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Each_spec_gets_its_own_environment_changes_whatever_was_started_before()
    {
        var plain = TestChild.Spec("env", "FANOUT_CACHE_OVR", "env", "FANOUT_CACHE_OTHER").WithCapturedOutput();
        var a = plain.WithEnvironment("FANOUT_CACHE_OVR", "a");
        var b = plain.WithEnvironment("FANOUT_CACHE_OVR", "b");
        var aAgain = plain.WithEnvironment("FANOUT_CACHE_OVR", "a");
        var removed = plain.WithoutEnvironment("FANOUT_CACHE_OTHER");
        var replaced = plain.WithEnvironmentReplaced([new("FANOUT_CACHE_OVR", "only")]);
        try
        {
            Environment.SetEnvironmentVariable("FANOUT_CACHE_OVR", "parent");
            Environment.SetEnvironmentVariable("FANOUT_CACHE_OTHER", "other");

            Assert.Equal("a\nother\n", (await a.RunAsync()).StdoutText);
            Assert.Equal("parent\nother\n", (await plain.RunAsync()).StdoutText);
            Assert.Equal("b\nother\n", (await b.RunAsync()).StdoutText);
            Assert.Equal("a\nother\n", (await aAgain.RunAsync()).StdoutText);
            Assert.Equal("parent\n<unset>\n", (await removed.RunAsync()).StdoutText);
            Assert.Equal("only\n<unset>\n", (await replaced.RunAsync()).StdoutText);

            Environment.SetEnvironmentVariable("FANOUT_CACHE_OTHER", "changed");
            Assert.Equal("a\nchanged\n", (await a.RunAsync()).StdoutText);
            Assert.Equal("only\n<unset>\n", (await replaced.RunAsync()).StdoutText);
        }
        finally
        {
            Environment.SetEnvironmentVariable("FANOUT_CACHE_OVR", null);
            Environment.SetEnvironmentVariable("FANOUT_CACHE_OTHER", null);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_change_of_PATH_between_two_starts_is_searched_afresh()
    {
        using var dirs = new Folders(2);
        dirs.Script(0, "fanout-cache-path", "zero");
        dirs.Script(1, "fanout-cache-path", "one");
        var spec = new ProcessSpec("fanout-cache-path").WithCapturedOutput();

        var first = await spec.WithEnvironment("PATH", dirs[0]).RunAsync(check: true);
        var second = await spec.WithEnvironment("PATH", dirs[1]).RunAsync(check: true);
        var both = await spec.WithEnvironment("PATH", $"{dirs[1]}:{dirs[0]}").RunAsync(check: true);

        Assert.Equal("zero\n", first.StdoutText);
        Assert.Equal("one\n", second.StdoutText);
        Assert.Equal("one\n", both.StdoutText);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_remembered_PATH_search_never_starts_a_removed_shadowed_or_no_longer_executable_program()
    {
        // Four set-ups, one settling wait: each search is remembered, then something changes.
        using var shadow = new Folders(2);
        shadow.Script(1, "fanout-cache-shadow", "later");
        using var removed = new Folders(1);
        removed.Script(0, "fanout-cache-removed", "here");
        using var chmodded = new Folders(1);
        chmodded.Script(0, "fanout-cache-chmod", "here");
        using var passedOver = new Folders(2);
        passedOver.Script(0, "fanout-cache-passed", "first", executable: false);
        passedOver.Script(1, "fanout-cache-passed", "second");
        await Task.Delay(SettleTime);

        var shadowSpec = Spec("fanout-cache-shadow", shadow.SearchPath);
        var removedSpec = Spec("fanout-cache-removed", removed.SearchPath);
        var chmodSpec = Spec("fanout-cache-chmod", chmodded.SearchPath);
        var passedSpec = Spec("fanout-cache-passed", passedOver.SearchPath);
        Assert.Equal("later\n", (await shadowSpec.RunAsync(check: true)).StdoutText);
        Assert.Equal("here\n", (await removedSpec.RunAsync(check: true)).StdoutText);
        Assert.Equal("here\n", (await chmodSpec.RunAsync(check: true)).StdoutText);
        Assert.Equal("second\n", (await passedSpec.RunAsync(check: true)).StdoutText);
        Assert.NotNull(PathSearchCache.Lookup("fanout-cache-shadow", shadow.SearchPath));
        Assert.NotNull(PathSearchCache.Lookup("fanout-cache-removed", removed.SearchPath));

        shadow.Script(0, "fanout-cache-shadow", "earlier");
        File.Delete(Path.Combine(removed[0], "fanout-cache-removed"));
        File.SetUnixFileMode(Path.Combine(chmodded[0], "fanout-cache-chmod"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(Path.Combine(passedOver[0], "fanout-cache-passed"), Folders.Executable);

        Assert.Equal("earlier\n", (await shadowSpec.RunAsync(check: true)).StdoutText);
        var gone = Assert.Throws<ProcessStartException>(() => removedSpec.Start());
        Assert.Equal("fanout-cache-removed", gone.Program);
        Assert.Contains("not found in PATH", gone.Message, StringComparison.Ordinal);
        var denied = Assert.Throws<ProcessStartException>(() => chmodSpec.Start());
        Assert.Equal("fanout-cache-chmod", denied.Program);
        Assert.Contains("not executable", denied.Message, StringComparison.Ordinal);
        Assert.Equal("first\n", (await passedSpec.RunAsync(check: true)).StdoutText);

        static ProcessSpec Spec(string name, string path) => new ProcessSpec(name).WithEnvironment("PATH", path).WithCapturedOutput();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_program_path_removed_or_made_non_executable_after_a_start_fails_at_the_next_naming_it()
    {
        using var dirs = new Folders(1);
        var program = dirs.Script(0, "fanout-cache-abs", "ran");
        var spec = new ProcessSpec(program).WithCapturedOutput();

        var ran = await spec.RunAsync(check: true);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var ownerOnly = await spec.RunAsync(check: true);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var denied = Assert.Throws<ProcessStartException>(() => spec.Start());
        File.Delete(program);
        var missing = Assert.Throws<ProcessStartException>(() => spec.Start());

        Assert.Equal("ran\n", ran.StdoutText);
        Assert.Equal("ran\n", ownerOnly.StdoutText);
        Assert.Equal(program, denied.Program);
        Assert.Contains("not executable", denied.Message, StringComparison.Ordinal);
        Assert.Equal(program, missing.Program);
        Assert.Contains("no such file", missing.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_relative_program_path_is_found_in_each_working_directory_given()
    {
        using var dirs = new Folders(2);
        dirs.Script(0, "fanout-cache-rel", "zero");
        dirs.Script(1, "fanout-cache-rel", "one");
        var spec = new ProcessSpec("./fanout-cache-rel").WithCapturedOutput();

        var zero = await spec.WithWorkingDirectory(dirs[0]).RunAsync(check: true);
        var one = await spec.WithWorkingDirectory(dirs[1]).RunAsync(check: true);
        File.Delete(Path.Combine(dirs[0], "fanout-cache-rel"));
        var missing = Assert.Throws<ProcessStartException>(() => spec.WithWorkingDirectory(dirs[0]).Start());

        Assert.Equal("zero\n", zero.StdoutText);
        Assert.Equal("one\n", one.StdoutText);
        Assert.Equal("./fanout-cache-rel", missing.Program);
        Assert.Contains("no such file", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>Temporary directories holding small shell scripts that print a word.</summary>
    private sealed class Folders : IDisposable
    {
        internal const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

        private readonly string[] _dirs;

        internal Folders(int count) =>
            _dirs = [.. Enumerable.Range(0, count).Select(_ => Directory.CreateTempSubdirectory("fanout-cache-").FullName)];

        internal string this[int index] => _dirs[index];

        internal string SearchPath => string.Join(':', _dirs);

        internal string Script(int dir, string name, string word, bool executable = true)
        {
            var path = Path.Combine(_dirs[dir], name);
            File.WriteAllText(path, $"#!/bin/sh\necho {word}\n");
            File.SetUnixFileMode(path, executable ? Executable : UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return path;
        }

        public void Dispose()
        {
            foreach (var dir in _dirs)
                Directory.Delete(dir, recursive: true);
        }
    }
}
