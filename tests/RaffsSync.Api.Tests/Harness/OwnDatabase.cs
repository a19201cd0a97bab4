using System.Security.Cryptography;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Access;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>A database of a test's own, for tests that start, stop or configure hosts themselves.</summary>
public sealed record OwnDatabase(string ConnectionString, string SecretsKey)
{
    public static async Task<OwnDatabase> CreateAsync() =>
        new(await TestPostgres.CreateDatabaseAsync(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    public Task<IAlbaHost> StartHostAsync(Action<IServiceCollection>? configure = null, IReadOnlyDictionary<string, string>? settings = null) =>
        AppFixture.StartHostAsync(ConnectionString, SecretsKey, new CapturedLogs(), configure, settings);

    /// <summary>A node of a cluster on this database (Balanced, as in production), with its roles and the given logs.</summary>
    public Task<IAlbaHost> StartNodeAsync(string roles, CapturedLogs logs, IReadOnlyDictionary<string, string>? settings = null) =>
        AppFixture.StartHostAsync(ConnectionString, SecretsKey, logs, settings: new Dictionary<string, string>(ClusterTimings)
        {
            ["RaffsSync:Roles"] = roles
        }.Concat(settings ?? new Dictionary<string, string>()).ToDictionary(), solo: false);

    /// <summary>Heartbeats and assignment checks every second, a silent node dead after 5 s: agents move within seconds.</summary>
    public static IReadOnlyDictionary<string, string> ClusterTimings { get; } = new Dictionary<string, string>
    {
        ["RaffsSync:Cluster:HeartbeatInterval"] = "00:00:01",
        ["RaffsSync:Cluster:AssignmentInterval"] = "00:00:01",
        ["RaffsSync:Cluster:StaleNodeAfter"] = "00:00:05",
        ["RaffsSync:Cluster:RecoveryInterval"] = "00:00:01"
    };
}

public static class OwnHostExtensions
{
    public static Task<string> CreateInternalKeyAsync(this IAlbaHost host) =>
        ApiKeyStore.CreateAsync(host.Services.GetRequiredService<IDocumentStore>(),
            new ApiKeyRequest("test", ProviderEnvironment.Sandbox, CallerClass.Internal, Scopes.All, null, []), TimeProvider.System);

    /// <summary>Any call with a key; the status is the caller's to check.</summary>
    public static Task<IScenarioResult> CallAsync(this IAlbaHost host, string key, Action<Scenario> request) => host.Scenario(s =>
    {
        request(s);
        s.WithRequestHeader("Authorization", $"Bearer {key}");
        s.IgnoreStatusCode();
    });
}
