namespace RaffsSync.Api.Infrastructure.Postgres;

/// <summary>
/// The PostgreSQL connection string: <c>ConnectionStrings:Postgres</c> when configured, otherwise
/// a private cluster under <c>.local/postgres</c> beside the solution, started on first use and
/// stopped when the host is disposed (only if this process started it). That cluster trusts every
/// local connection, so it is a development convenience: only in Development or with
/// <c>RaffsSync:LocalPostgres:Enabled=true</c>; anywhere else a missing connection string fails the start.
/// </summary>
public sealed class DatabaseConnection : IDisposable
{
    public const string ConfigurationKey = "Postgres";
    public const int DefaultLocalPort = 54329;

    public const string LocalClusterEnabledKey = "RaffsSync:LocalPostgres:Enabled";

    private readonly Lazy<string> _connectionString;
    private LocalPostgresCluster? _cluster;

    public DatabaseConnection(IConfiguration configuration, IHostEnvironment environment, ILogger<DatabaseConnection> logger)
    {
        var configured = configuration.GetConnectionString(ConfigurationKey);
        var useLocalCluster = string.IsNullOrWhiteSpace(configured);
        if (useLocalCluster && !LocalClusterAllowed(configuration, environment))
            throw new InvalidOperationException(
                $"No database is configured for the {environment.EnvironmentName} environment. Set ConnectionStrings__Postgres " +
                "(configuration key ConnectionStrings:Postgres) to a PostgreSQL 15+ connection string, e.g. " +
                "'Host=db;Port=5432;Database=raffssync;Username=raffs;Password=...'. The private local cluster, which trusts " +
                "every local connection, starts only in Development or with RaffsSync__LocalPostgres__Enabled=true.");

        _connectionString = new Lazy<string>(() =>
        {
            if (!useLocalCluster) return configured!;

            var root = configuration["RaffsSync:LocalPostgres:Directory"]
                ?? Path.Combine(SolutionDirectory(environment.ContentRootPath), ".local", "postgres");
            var port = configuration.GetValue("RaffsSync:LocalPostgres:Port", DefaultLocalPort);

            LocalDirectory = root;
            _cluster = LocalPostgresCluster.Start(new LocalPostgresOptions(root, port));
            // Commands such as 'help' never dispose the host: stop what this process started when it exits.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _cluster.Stop();
            logger.LogInformation("No ConnectionStrings:Postgres configured; using the local PostgreSQL cluster in {Directory} on port {Port} ({State})",
                root, _cluster.Port, _cluster.StartedHere ? "started" : "already running");
            return _cluster.ConnectionString();
        });
    }

    public string ConnectionString => _connectionString.Value;

    /// <summary>Development conveniences (the local cluster, a generated secrets key): Development, or asked for explicitly.</summary>
    public static bool LocalClusterAllowed(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue<bool?>(LocalClusterEnabledKey) ?? environment.IsDevelopment();

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
