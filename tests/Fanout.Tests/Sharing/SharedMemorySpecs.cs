using System.Runtime.CompilerServices;

namespace Fanout.Tests;

public sealed class SharedMemorySpecs : SharingTestBase
{
    [Fact(Timeout = 20_000)]
    public async Task A_worker_attaches_by_name_and_sees_the_bytes_as_typed_values_beyond_255()
    {
        using var block = SharedMemory.Create(2 * sizeof(long));
        block.AsSpan<long>()[0] = 100_000_000;
        var worker = new WorkerProcess(SharingTargets.ReadAndWrite, block);

        worker.Start();
        await worker.JoinAsync();

        Assert.Null(worker.Error);
        Assert.Equal(100_000_000L, worker.Result);
        Assert.Equal(100_000_001L, block.AsSpan<long>()[1]);
        block.Unlink();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_segment_is_a_file_in_dev_shm_readable_only_by_its_owner_with_a_recognisable_random_name()
    {
        using var block = SharedMemory.Create(100);

        Assert.Matches($"^fanout-{Environment.ProcessId}-[0-9a-f]{{8}}$", block.Name);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode("/dev/shm/" + block.Name));
        Assert.Equal(100, block.Size);
        Assert.Equal(new byte[100], block.Span.ToArray());
        block.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Attaching_reads_the_size_from_the_segment_and_sees_the_same_memory()
    {
        using var block = SharedMemory.Create(4096, TestName("attach"));
        using var other = SharedMemory.Attach("/" + block.Name);

        block.Ref<int>(8) = 42;
        other.Memory.Span[0] = 7;

        Assert.Equal(4096, other.Size);
        Assert.Equal(42, other.AsSpan<int>()[2]);
        Assert.Equal(7, block.Span[0]);
        block.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Attaching_to_a_missing_name_throws_an_exception_that_names_it()
    {
        var name = TestName("missing");

        var error = Assert.Throws<SharedMemoryNotFoundException>(() => SharedMemory.Attach(name));

        Assert.Equal(name, error.Name);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Creating_a_name_that_exists_throws_and_leaves_the_existing_segment_alone()
    {
        using var block = SharedMemory.Create(16, TestName("taken"));
        block.Span[0] = 9;

        var error = Assert.Throws<SharedMemoryExistsException>(() => SharedMemory.Create(32, block.Name));

        Assert.Equal(block.Name, error.Name);
        using var again = SharedMemory.Attach(block.Name);
        Assert.Equal(16, again.Size);
        Assert.Equal(9, again.Span[0]);
        block.Unlink();
        await Task.CompletedTask;
    }

    [Theory(Timeout = 10_000)]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task A_size_of_zero_or_less_is_refused_naming_the_segment(long size)
    {
        var name = TestName("empty");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.Create(size, name));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists("/dev/shm/" + name));
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Close_unmaps_here_only_and_unlink_destroys_the_segment_once()
    {
        var block = SharedMemory.Create(8);
        using var other = SharedMemory.Attach(block.Name);

        block.Close();
        block.Close();
        other.Span[0] = 1;
        Assert.Throws<ObjectDisposedException>(() => block.Span[0]);
        other.Unlink();

        Assert.Throws<SharedMemoryNotFoundException>(() => SharedMemory.Attach(block.Name));
        Assert.Throws<SharedMemoryNotFoundException>(block.Unlink);
        Assert.Equal(1, other.Span[0]); // still mapped here until closed
        await Task.CompletedTask;
    }

    [Fact(Timeout = 10_000)]
    public async Task Typed_views_work_for_any_unmanaged_struct()
    {
        using var block = SharedMemory.Create(3 * Unsafe.SizeOf<Sample>());

        block.AsSpan<Sample>()[2] = new Sample(1.5, 7);

        Assert.Equal(3, block.AsSpan<Sample>().Length);
        Assert.Equal(new Sample(1.5, 7), block.Ref<Sample>(2 * Unsafe.SizeOf<Sample>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => block.Ref<long>(block.Size - 4));
        block.Unlink();
        await Task.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public async Task A_segment_whose_creator_died_is_a_leftover_unless_a_live_process_still_maps_it()
    {
        var creator = new WorkerProcess(SharingTargets.LeaveSegmentBehind);
        creator.Start();
        await creator.JoinAsync();
        var name = creator.GetResult<string>();
        using var done = SharedEvent.Create();
        WorkerProcess user;
        using (var attached = SharedMemory.Attach(name))
            user = new WorkerProcess(SharingTargets.MapUntilSet, attached, done); // the name is sent; this process unmaps it
        user.Start();
        Assert.True(Eventually(() => File.ReadAllText($"/proc/{user.Pid}/maps").Contains(name, StringComparison.Ordinal), TimeSpan.FromSeconds(10)));

        var whileUsed = SharedMemory.FindLeftovers();
        done.Set();
        await user.JoinAsync();
        var removed = SharedMemory.RemoveLeftovers();

        Assert.DoesNotContain(name, whileUsed);
        Assert.Contains(name, removed);
        Assert.False(File.Exists("/dev/shm/" + name));
        done.Unlink();
    }

    [Fact(Timeout = 30_000)]
    public async Task The_fanout_leftovers_command_lists_a_dead_creators_segment_and_removes_it_with_remove()
    {
        var creator = new WorkerProcess(SharingTargets.LeaveSegmentBehind);
        creator.Start();
        await creator.JoinAsync();
        var name = creator.GetResult<string>();
        var fanout = Fanout.Tests.Batch.Cli.Path;

        var listed = await new ProcessSpec(fanout, "leftovers").WithCapturedOutput().RunAsync(timeout: TimeSpan.FromSeconds(20), check: true);
        var removed = await new ProcessSpec(fanout, "leftovers", "--remove").WithCapturedOutput().RunAsync(timeout: TimeSpan.FromSeconds(20), check: true);

        Assert.Contains(name, listed.StdoutText.Split('\n'));
        Assert.Contains(name, removed.StdoutText.Split('\n'));
        Assert.False(File.Exists("/dev/shm/" + name));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_segment_whose_creator_lives_is_never_a_leftover()
    {
        var block = SharedMemory.Create(8);
        block.Close();

        Assert.DoesNotContain(block.Name, SharedMemory.FindLeftovers());
        block.Unlink();
        await Task.CompletedTask;
    }

    private record struct Sample(double X, int Y);
}
