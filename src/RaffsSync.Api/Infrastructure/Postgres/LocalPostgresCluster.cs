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
        if (cluster.TryReuseRunningServer()) return cluster;

        EnsurePortIsFree(options.Port);
        cluster.Initialise(options.RootDirectory);

        var settings = $"-p {options.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300";
        if (!options.Durable) settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";

        var log = Path.Combine(options.RootDirectory, "postgres.log");
        var (exitCode, output) = cluster.Execute(cluster.ServerProgram("pg_ctl"),
            ["-D", cluster._dataDirectory, "-l", log, "-w", "-t", "60", "-o", settings, "start"]);
        if (exitCode != 0)
            throw new InvalidOperationException(
                $"The local PostgreSQL cluster in {options.RootDirectory} did not start on port {options.Port}: {output}{Environment.NewLine}" +
                $"Server log ({log}):{Environment.NewLine}{LastLines(log, 15)}{Environment.NewLine}" +
                $"If the port is taken, set {PortSetting} to a free port.");
        cluster.StartedHere = true;
        return cluster;
    }

    /// <summary>The setting that moves the local cluster, named in the errors a taken port causes.</summary>
    public const string PortSetting = "RaffsSync__LocalPostgres__Port";

    /// <summary>
    /// pg_ctl only says "could not start server" when another program holds the port; find that out
    /// first and say which port and which setting.
    /// </summary>
    private static void EnsurePortIsFree(int port)
    {
        try
        {
            // As PostgreSQL binds: SO_REUSEADDR, so connections of a cluster stopped a moment ago (TIME_WAIT) do not count.
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new InvalidOperationException(
                $"Port {port} on 127.0.0.1 is already in use, so the local PostgreSQL cluster cannot start on it. " +
                $"Set {PortSetting} to a free port (for example {PortSetting}=54330), stop the program listening on {port}, " +
                "or set ConnectionStrings__Postgres to use an existing PostgreSQL server.");
        }
    }

    private static string LastLines(string file, int count)
    {
        try
        {
            return File.Exists(file) ? string.Join(Environment.NewLine, File.ReadLines(file).TakeLast(count)) : "(none written)";
        }
        catch (IOException e)
        {
            return $"(unreadable: {e.Message})";
        }
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
