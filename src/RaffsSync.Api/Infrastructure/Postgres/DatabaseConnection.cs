namespace RaffsSync.Api.Infrastructure.Postgres;

/// <summary>
/// The PostgreSQL connection string: <c>ConnectionStrings:Postgres</c> when configured, otherwise
/// a private cluster under <c>.local/postgres</c> beside the solution, started on first use and
/// stopped when the host is disposed (only if this process started it).
/// </summary>
public sealed class DatabaseConnection : IDisposable
{
    public const string ConfigurationKey = "Postgres";
    public const int DefaultLocalPort = 54329;

    private readonly Lazy<string> _connectionString;
    private LocalPostgresCluster? _cluster;

    public DatabaseConnection(IConfiguration configuration, IHostEnvironment environment, ILogger<DatabaseConnection> logger)
    {
        _connectionString = new Lazy<string>(() =>
        {
            var configured = configuration.GetConnectionString(ConfigurationKey);
            if (!string.IsNullOrWhiteSpace(configured)) return configured;

            var root = configuration["RaffsSync:LocalPostgres:Directory"]
                ?? Path.Combine(SolutionDirectory(environment.ContentRootPath), ".local", "postgres");
            var port = configuration.GetValue("RaffsSync:LocalPostgres:Port", DefaultLocalPort);

            LocalDirectory = root;
            _cluster = LocalPostgresCluster.Start(new LocalPostgresOptions(root, port));
            logger.LogInformation("No ConnectionStrings:Postgres configured; using the local PostgreSQL cluster in {Directory} on port {Port} ({State})",
                root, _cluster.Port, _cluster.StartedHere ? "started" : "already running");
            return _cluster.ConnectionString();
        });
    }

    public string ConnectionString => _connectionString.Value;

    public bool IsLocalCluster => _cluster is not null;

    /// <summary>The local cluster's folder, when one is used.</summary>
    public string? LocalDirectory { get; private set; }

    public void Dispose() => _cluster?.Stop();

    private static string SolutionDirectory(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RaffsSync.sln"))) return dir.FullName;
        }
        return start;
    }
}
