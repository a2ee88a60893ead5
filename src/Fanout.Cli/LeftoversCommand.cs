using System.CommandLine;

namespace Fanout.Cli;

/// <summary><c>fanout leftovers [--remove]</c>: lists (or removes) shared objects that crashed Fanout processes left in /dev/shm.</summary>
internal static class LeftoversCommand
{
    internal static Command Create()
    {
        var remove = new Option<bool>("--remove") { Description = "Unlink them instead of only listing them." };
        var command = new Command("leftovers", "List shared memory segments, semaphores, locks and queues left in /dev/shm by Fanout processes that died without unlinking them. One a live process still uses is never listed.")
        {
            remove,
        };
        command.SetAction(parsed =>
        {
            foreach (var name in parsed.GetValue(remove) ? SharedMemory.RemoveLeftovers() : SharedMemory.FindLeftovers())
                Console.Out.WriteLine(name);
            return 0;
        });
        return command;
    }
}
