using System.Diagnostics;
using System.Net.Sockets;
using RaffsSync.Api.Infrastructure.Postgres;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>
/// A RabbitMQ node of the test's own (Debian's <c>rabbitmq-server</c>) on free ports, with its data in a temporary
/// folder; stopped and deleted on dispose.
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    public const string Server = "/usr/sbin/rabbitmq-server";
    private readonly Process _process;
    private readonly string _root;
    private readonly List<string> _output = [];

    private RabbitMqBroker(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        ConnectionString = $"amqp://guest:guest@127.0.0.1:{port}";
    }

    public static bool IsInstalled => File.Exists(Server);

    public string ConnectionString { get; }

    public static async Task<RabbitMqBroker> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "raffssync-rabbitmq", Guid.NewGuid().ToString("N")[..8]);
        // Started as root, Debian's wrapper runs the server as the rabbitmq user: the folder must be open to it.
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)0x1FF); // rwxrwxrwx
        var port = LocalPostgresCluster.FreePort();
        var name = $"raffs{Path.GetFileName(root)}";
        var start = new ProcessStartInfo(Server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false
        };
        start.Environment["RABBITMQ_NODENAME"] = $"{name}@localhost";
        start.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        start.Environment["RABBITMQ_NODE_PORT"] = port.ToString();
        start.Environment["RABBITMQ_DIST_PORT"] = LocalPostgresCluster.FreePort().ToString();
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins");
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq");

        var process = Process.Start(start)!;
        var broker = new RabbitMqBroker(process, root, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (broker._output) broker._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (broker._output) broker._output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"rabbitmq-server exited: {broker.Tail()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (SocketException) { return false; }
        }, "RabbitMQ to accept connections", TimeSpan.FromSeconds(90));
        return broker;
    }

    private string Tail() { lock (_output) return string.Join("\n", _output.TakeLast(30)); }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A fact that needs <see cref="RabbitMqBroker"/>: skipped, saying why, where the server is not installed.</summary>
public sealed class RabbitMqFactAttribute : FactAttribute
{
    public RabbitMqFactAttribute()
    {
        if (!RabbitMqBroker.IsInstalled)
            Skip = $"No RabbitMQ at {RabbitMqBroker.Server}: install Debian's rabbitmq-server package (.ci/run does).";
    }
}
