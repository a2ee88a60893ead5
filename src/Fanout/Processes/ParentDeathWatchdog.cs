using System.Globalization;
using System.Text;
using Fanout.Interop;
using Microsoft.Win32.SafeHandles;

namespace Fanout;

/// <summary>
/// Kills our children's process groups when this process dies, however it dies — even by SIGKILL.
/// <para>
/// One small <c>/bin/sh</c> script per process, started on first use and detached (its parent
/// exits at once, so it is nobody's child of ours), reads lines from a pipe whose write end only
/// this process holds: <c>+PGID</c> when a child that must not outlive us starts, <c>-PGID</c>
/// when it has been reaped. When we die the kernel closes the pipe; the script reads end of file
/// and sends SIGKILL to every group still listed. Registering costs one small write per child,
/// against a whole extra exec for the parent-death signal through <c>setpriv</c>, and it reaches
/// grandchildren in the group too.
/// </para>
/// </summary>
internal static class ParentDeathWatchdog
{
    private const string Script = """
        trap '' HUP INT QUIT TERM
        live=' '
        while IFS= read -r line; do
          case "$line" in
            +*) live="$live${line#+} " ;;
            -*) id="${line#-}"; case "$live" in *" $id "*) live="${live%% $id *} ${live#* $id }" ;; esac ;;
          esac
        done
        for group in $live; do kill -KILL -"$group" 2>/dev/null; done
        """;

    private static readonly Lock Gate = new();
    private static SafeFileHandle? s_pipe;

    /// <summary>Lists a process group to kill if we die.</summary>
    internal static void Register(int processGroup) => Send('+', processGroup);

    /// <summary>Takes one listing of a process group off (its leader was reaped).</summary>
    internal static void Unregister(int processGroup) => Send('-', processGroup);

    private static unsafe void Send(char sign, int processGroup)
    {
        var line = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{sign}{processGroup}\n"));
        lock (Gate)
        {
            var pipe = s_pipe ??= Start();
            fixed (byte* p = line)
            {
                // A short line to a pipe is written whole (PIPE_BUF); EINTR is the only retry.
                while (Libc.write(pipe, p, line.Length) < 0 && Errno.Last == Libc.EINTR)
                {
                }
            }
        }
    }

    private static unsafe SafeFileHandle Start()
    {
        var fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
            throw Errno.Exception("pipe2", "the parent-death watchdog");
        using var read = new SafeFileHandle(fds[0], ownsHandle: true);
        var write = new SafeFileHandle(fds[1], ownsHandle: true);
        // "( … ) &" detaches the script: the intermediate shell exits at once and is reaped here.
        // A background list's stdin is /dev/null before its own redirections, hence fd 3.
        var launcher = ProcessSpec.Shell("exec 3<&0\n(" + Script + "\n) <&3 >/dev/null 2>&1 &")
            .WithStdin(Stdio.FromHandle(read))
            .WithStdout(Stdio.Null)
            .WithStderr(Stdio.Null)
            .WithEnvironmentReplaced([new("PATH", "/usr/bin:/bin")]);
        using var child = ChildProcess.Start(launcher);
        child.Wait();
        return write;
    }
}
