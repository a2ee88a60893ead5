// Seed 003, "concurrent.futures", example by example: thread and process pools behind one
// interface, futures, map with a timeout, wait, as_completed, cancel and callbacks.
// `Seed003.Futures [seconds]` scales the sleeps (the tests run it faster).
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text;
using Fanout;

var scale = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1.0;

// executor.submit(pow, 323, 1235).result() with one worker.
using (var executor = new ThreadPoolExecutor(maxWorkers: 1))
{
    var power = executor.Submit(BigInteger.Pow, new BigInteger(323), 1235).Result();
    Console.WriteLine($"pow(323, 1235) has {power.ToString(CultureInfo.InvariantCulture).Length} digits: {power}");
}

// Fetch pages with a thread pool, each size printed as it completes; a made-up host fails alone.
using (var server = new PageServer(("/index.html", 1_200), ("/news.html", 34_567), ("/about.html", 890)))
{
    string[] urls = [.. server.Urls, "http://some-made-up-domain.invalid/"];
    using var executor = new ThreadPoolExecutor(maxWorkers: 5);
    var futures = urls.ToDictionary(url => (Future)executor.Submit(Web.LoadUrl, url, 5.0), url => url);
    foreach (var future in Futures.AsCompleted(futures.Keys))
    {
        var url = futures[future];
        if (future.Exception() is { } error)
            Console.WriteLine($"'{url}' generated an exception: {error.GetType().Name}");
        else
            Console.WriteLine($"'{url}' page is {((Future<byte[]>)future).Result().Length} bytes");
    }
}

// A process pool for CPU-bound work: map keeps the input order.
long[] primes = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419];
using (var executor = new ProcessPoolExecutor(maxWorkers: 2))
{
    foreach (var (number, prime) in primes.Zip(executor.Map(Numbers.IsPrime, primes)))
        Console.WriteLine($"{number} is prime: {prime}");
}

// map with a timeout: the late result raises a timeout error; the work itself goes on.
using (var executor = new ThreadPoolExecutor(maxWorkers: 2))
{
    try
    {
        foreach (var slept in executor.Map(Numbers.Sleep, [0.1 * scale, 2.0 * scale], timeout: TimeSpan.FromSeconds(0.5 * scale)))
            Console.WriteLine($"map: slept {slept / scale:0.0} s");
    }
    catch (FutureTimeoutException)
    {
        Console.WriteLine("map: timed out waiting for the next result");
    }
}

// wait(FIRST_COMPLETED), then as_completed for the rest.
using (var executor = new ThreadPoolExecutor(maxWorkers: 3))
{
    double[] sleeps = [0.6, 0.1, 0.3];
    var futures = sleeps.Select(s => executor.Submit(Numbers.Sleep, s * scale)).ToList();
    var (done, notDone) = Futures.Wait(futures, returnWhen: ReturnWhen.FirstCompleted);
    Console.WriteLine($"wait: {done.Count} done, {notDone.Count} not done");
    foreach (var future in Futures.AsCompleted(futures))
        Console.WriteLine($"as_completed: slept {future.Result() / scale:0.0} s");
}

// cancel() succeeds only before a call starts; callbacks run on completion and on cancellation.
using (var executor = new ThreadPoolExecutor(maxWorkers: 1))
{
    var running = executor.Submit(Numbers.Sleep, 0.2 * scale);
    var waiting = executor.Submit(Numbers.Sleep, 0.2 * scale);
    running.AddDoneCallback(f => Console.WriteLine($"callback: first is {f.State.ToString().ToLowerInvariant()}"));
    waiting.AddDoneCallback(f => Console.WriteLine($"callback: second is {f.State.ToString().ToLowerInvariant()}"));
    while (!running.IsRunning)
        Thread.Sleep(1);
    Console.WriteLine($"cancel running: {running.Cancel()}, cancel waiting: {waiting.Cancel()}");
    running.Result();
    executor.Shutdown();
    try
    {
        _ = executor.Submit(Numbers.Sleep, 0.0);
    }
    catch (InvalidOperationException e)
    {
        Console.WriteLine($"after shutdown: {e.Message}");
    }
}

/// <summary>Downloads over HTTP.</summary>
internal static class Web
{
    private static readonly HttpClient Client = new();

    /// <summary>The body of the page at <paramref name="url"/> (the seed's <c>load_url</c>).</summary>
    internal static byte[] LoadUrl(string url, double timeoutSeconds)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        return Client.GetByteArrayAsync(new Uri(url), cancel.Token).GetAwaiter().GetResult();
    }
}

/// <summary>CPU-bound and sleeping work.</summary>
internal static class Numbers
{
    /// <summary>Trial division up to the square root, as in the seed.</summary>
    internal static bool IsPrime(long n)
    {
        if (n < 2)
            return false;
        if (n == 2)
            return true;
        if (n % 2 == 0)
            return false;
        var limit = (long)Math.Sqrt(n);
        for (var i = 3L; i <= limit; i += 2)
        {
            if (n % i == 0)
                return false;
        }

        return true;
    }

    /// <summary>Sleeps and returns how long.</summary>
    internal static double Sleep(double seconds)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return seconds;
    }
}

/// <summary>A tiny HTTP server on 127.0.0.1 that serves pages of known sizes (there is no internet here).</summary>
internal sealed class PageServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, int> _pages;

    public PageServer(params (string Path, int Size)[] pages)
    {
        _pages = pages.ToDictionary(p => p.Path, p => p.Size);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public IEnumerable<string> Urls => _pages.Keys.Select(path => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

    public void Dispose() => _listener.Stop();

    private async Task ServeAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                    var path = (await reader.ReadLineAsync())?.Split(' ')[1] ?? "/";
                    while (await reader.ReadLineAsync() is { Length: > 0 })
                    {
                    }

                    var body = _pages.TryGetValue(path, out var size) ? new byte[size] : [];
                    var status = _pages.ContainsKey(path) ? "200 OK" : "404 Not Found";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                    await stream.WriteAsync(body);
                }
            });
        }
    }
}
