using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Text.Json;
using System.Security.Cryptography;
using RaffsSync.Api.Access;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Registry;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>The real host (Alba) on a database of its own; one per test collection.</summary>
public class AppFixture : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();
    public string ConnectionString { get; private set; } = "";

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync();
        Host = await StartHostAsync(ConnectionString, SecretsKey, Logs, settings: Settings);
    }

    /// <summary>Configuration a collection's host starts with (short schedules, say).</summary>
    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    /// <summary>The secrets key of this fixture's database: a second host on it must use the same one.</summary>
    public string SecretsKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A real host on a given database; tests that stop and restart the service start their own.</summary>
    public static Task<IAlbaHost> StartHostAsync(string connectionString, string secretsKey, CapturedLogs logs,
        Action<IServiceCollection>? configure = null, IReadOnlyDictionary<string, string>? settings = null, bool solo = true)
    {
        JasperFxEnvironment.AutoStartHost = true;
        return AlbaHost.For<Program>(builder => Configure(builder, connectionString, secretsKey, logs, configure, settings, solo));
    }

    /// <summary>What every test host is given; hosts on a real port (<see cref="LoopbackHost"/>) too.</summary>
    /// <param name="solo">One node on the database (most tests); false for a node of a cluster, as in production.</param>
    public static void Configure(IWebHostBuilder builder, string connectionString, string secretsKey, CapturedLogs logs,
        Action<IServiceCollection>? configure = null, IReadOnlyDictionary<string, string>? settings = null, bool solo = true)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Postgres", connectionString);
        builder.UseSetting(SecretVault.ConfigurationKey, secretsKey);
        // Tests make many calls with one key; rate limits get tests of their own.
        foreach (var callerClass in new[] { "Customer", "Partner", "Internal", "Anonymous" })
        {
            builder.UseSetting($"RaffsSync:RateLimits:{callerClass}:Limit", "1000000");
            builder.UseSetting($"RaffsSync:RateLimits:{callerClass}:PerSecond", "1000000");
        }
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(name, value);
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(logs);
            logging.AddFilter<CapturedLogs>(null, LogLevel.Debug);
        });
        builder.ConfigureServices(services =>
        {
            // One node: Wolverine runs every agent (projections, subscriptions) here without an election. The work
            // queues stay real (PostgreSQL tables in the fixture's database): stubbing transports would drop their messages.
            if (solo) services.RunWolverineInSoloMode();
            configure?.Invoke(services);
        });
    }

    public async Task DisposeAsync()
    {
        await Host.StopAsync();
        await Host.DisposeAsync();
    }

    public Task<string> CreateKeyAsync(CallerClass callerClass = CallerClass.Internal, IReadOnlyList<string>? scopes = null,
        IReadOnlyList<string>? locations = null, ProviderEnvironment environment = ProviderEnvironment.Sandbox,
        string? customerId = null, DateTimeOffset? expiresAt = null) =>
        ApiKeyStore.CreateAsync(Store,
            new ApiKeyRequest("test", environment, callerClass, scopes ?? Scopes.All, customerId, locations ?? [], expiresAt),
            TimeProvider.System);

    /// <summary>Registers a provider (no auth) whose sandbox and production base URL is <paramref name="baseUrl"/>, with routes, as a route pack.</summary>
    public async Task RegisterProviderAsync(string key, string baseUrl, params (string RouteKey, RouteDefinition Definition)[] routes)
    {
        var json = Host.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var pack = JsonSerializer.SerializeToElement(new
        {
            provider = new { key, name = key, auth_kind = "none", base_urls = new { sandbox = baseUrl, production = baseUrl } },
            routes = routes.ToDictionary(r => r.RouteKey, r => r.Definition)
        }, json);

        await using var session = Store.LightweightSession();
        var (result, errors) = await RoutePackImporter.ImportAsync(session, pack, json, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(result is not null, string.Join("; ", errors));
        await session.SaveChangesAsync();
    }
}
