using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace RaffsSync.Api.Infrastructure.Postgres;

public sealed record LocalPostgresOptions(string RootDirectory, int Port, bool Durable = true);

/// <summary>
/// A private PostgreSQL cluster in a folder of its own, started from the installed server
/// programs. PostgreSQL refuses to run as root, so under root it runs as the unprivileged
/// <c>postgres</c> user (or RAFFSSYNC_PG_USER), which then owns the folder.
/// </summary>
public sealed class LocalPostgresCluster
{
    public const string Superuser = "raffs";
    private const string RunAsVariable = "RAFFSSYNC_PG_USER";

    private readonly string _binaries;
    private readonly string _dataDirectory;
    private readonly string? _runAs;

    private LocalPostgresCluster(string binaries, string root, int port)
    {
        _binaries = binaries;
        _dataDirectory = Path.Combine(root, "data");
        _runAs = Environment.UserName == "root" ? Environment.GetEnvironmentVariable(RunAsVariable) ?? "postgres" : null;
        Port = port;
    }

    public int Port { get; private set; }

    /// <summary>True when this process started the server, and so should stop it.</summary>
    public bool StartedHere { get; private set; }

    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Database = database
    }.ConnectionString;

    /// <summary>Initialises the cluster on first use, reuses a running one, otherwise starts it.</summary>
    public static LocalPostgresCluster Start(LocalPostgresOptions options)
    {
        var cluster = new LocalPostgresCluster(PostgresBinaries.FindDirectory(), options.RootDirectory, options.Port);
        cluster.Initialise(options.RootDirectory);

        if (cluster.TryReuseRunningServer()) return cluster;

        var settings = $"-p {options.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300";
        if (!options.Durable) settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";

        cluster.Run("pg_ctl", "-D", cluster._dataDirectory, "-l", Path.Combine(options.RootDirectory, "postgres.log"),
            "-w", "-t", "60", "-o", settings, "start");
        cluster.StartedHere = true;
        return cluster;
    }

    public void Stop()
    {
        if (StartedHere) Run("pg_ctl", "-D", _dataDirectory, "-m", "fast", "-w", "stop");
        StartedHere = false;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Initialise(string root)
    {
        Directory.CreateDirectory(root);
        if (_runAs is not null) RunProgram("chown", "-R", _runAs, root);
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION"))) return;

        Run("initdb", "-D", _dataDirectory, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--no-locale");
    }

    private bool TryReuseRunningServer()
    {
        var pidFile = Path.Combine(_dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return false;
        if (RunProgramAllowingFailure(ServerProgram("pg_ctl"), "-D", _dataDirectory, "status") != 0) return false;

        // postmaster.pid line 4 is the port the running server listens on.
        var lines = File.ReadAllLines(pidFile);
        if (lines.Length > 3 && int.TryParse(lines[3], out var port)) Port = port;
        return true;
    }

    private string ServerProgram(string name) => Path.Combine(_binaries, name);

    private void Run(string program, params string[] arguments) => RunProgram(ServerProgram(program), arguments);

    private void RunProgram(string program, params string[] arguments)
    {
        var (exitCode, output) = Execute(program, arguments);
        if (exitCode != 0)
            throw new InvalidOperationException($"'{Path.GetFileName(program)} {string.Join(' ', arguments)}' failed ({exitCode}): {output}");
    }

    private int RunProgramAllowingFailure(string program, params string[] arguments) => Execute(program, arguments).ExitCode;

    private (int ExitCode, string Output) Execute(string program, string[] arguments)
    {
        var asOtherUser = _runAs is not null && program != "chown";
        var start = new ProcessStartInfo(asOtherUser ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath()
        };
        if (asOtherUser)
        {
            foreach (var arg in new[] { "-u", _runAs!, "--", program }) start.ArgumentList.Add(arg);
        }
        foreach (var arg in arguments) start.ArgumentList.Add(arg);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
    }
}
