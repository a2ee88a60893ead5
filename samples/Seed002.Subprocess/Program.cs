// Seed 002, "use subprocess to manage child processes", example by example.
using System.Diagnostics;
using System.Security.Cryptography;
using Fanout;

// 1. Start a child and read its output.
using (var child = new ProcessSpec("echo", "Hello from the child!").WithStdout(Stdio.Pipe).Start())
    Console.Write(child.Communicate().StdoutText);

// 2. Poll the child while doing other work.
using (var child = new ProcessSpec("sleep", "0.3").Start())
{
    while (child.Poll() is null)
    {
        Console.WriteLine("Working...");
        Thread.Sleep(100);
    }

    Console.WriteLine($"Exit status {child.Poll()!.Value.ReturnCode}");
}

// 3. Start ten children first, then wait for each: they run in parallel.
var clock = Stopwatch.StartNew();
var sleepers = Enumerable.Range(0, 10).Select(_ => new ProcessSpec("sleep", "0.1").Start()).ToList();
foreach (var sleeper in sleepers)
    sleeper.Communicate();
Console.WriteLine($"Finished in {clock.Elapsed.TotalSeconds:0.000} seconds");

// 4. Pipe data into children: encrypt random bytes with openssl, the password in a copied environment.
ProcessSpec Openssl() => new ProcessSpec("openssl", "enc", "-des3", "-pbkdf2", "-pass", "env:password")
    .WithEnvironment("password", "\u00e24U\n\u00d0Ql3S\u0011")
    .WithStdin(Stdio.Pipe)
    .WithStdout(Stdio.Pipe);

var encryptors = new List<ChildProcess>();
for (var i = 0; i < 3; i++)
{
    var child = Openssl().Start();
    child.StandardInput!.Write(RandomNumberGenerator.GetBytes(10));
    child.StandardInput.Flush();
    encryptors.Add(child);
}

foreach (var child in encryptors)
{
    var output = child.Communicate().Stdout;
    Console.WriteLine(Convert.ToHexString(output[^10..]).ToLowerInvariant());
}

// 5. Chain children: each openssl's stdout is an md5sum's stdin, through an OS pipe.
var inputs = new List<ChildProcess>();
var hashers = new List<ChildProcess>();
for (var i = 0; i < 3; i++)
{
    var encryptor = Openssl().Start();
    encryptor.StandardInput!.Write(RandomNumberGenerator.GetBytes(10));
    inputs.Add(encryptor);
    hashers.Add(new ProcessSpec("md5sum").WithStdin(Stdio.FromProcess(encryptor)).WithStdout(Stdio.Pipe).Start());
}

foreach (var encryptor in inputs)
    encryptor.Communicate();
foreach (var hasher in hashers)
    Console.WriteLine(hasher.Communicate().StdoutText.Split(' ')[0]);

// 6. A child that does not finish in time: time out, terminate, wait.
using (var child = new ProcessSpec("sleep", "10").Start())
{
    try
    {
        child.Communicate(timeout: TimeSpan.FromSeconds(0.1));
    }
    catch (ProcessTimeoutException)
    {
        child.Terminate();
        child.Wait();
    }

    Console.WriteLine($"Exit status {child.Poll()!.Value.ReturnCode}");
}
