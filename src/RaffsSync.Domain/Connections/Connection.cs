namespace RaffsSync.Domain.Connections;

public sealed record Connection
{
    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public string Provider { get; init; } = "";
    public ProviderEnvironment Environment { get; init; }
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<CredentialFingerprint> Credentials { get; init; } = [];
    public bool Active { get; init; } = true;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static Connection Create(ConnectionCreated e) => new()
    {
        Id = e.ConnectionId,
        TenantId = e.TenantId,
        Provider = e.Provider,
        Environment = e.Environment,
        Settings = e.Settings,
        Credentials = e.Credentials,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.CreatedAt
    };

    public Connection Apply(ConnectionSettingsChanged e) => this with { Settings = e.Settings, UpdatedAt = e.ChangedAt };

    public Connection Apply(ConnectionCredentialsRotated e) => this with { Credentials = e.Credentials, UpdatedAt = e.RotatedAt };

    public Connection Apply(ConnectionRemoved e) => this with { Active = false, UpdatedAt = e.RemovedAt };

    public static Connection Evolve(Connection? current, object e) => e switch
    {
        ConnectionCreated created => Create(created),
        ConnectionSettingsChanged changed => current!.Apply(changed),
        ConnectionCredentialsRotated rotated => current!.Apply(rotated),
        ConnectionRemoved removed => current!.Apply(removed),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "not a connection event")
    };
}
