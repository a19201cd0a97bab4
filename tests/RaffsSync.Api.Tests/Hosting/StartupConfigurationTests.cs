using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Hosting;

/// <summary>
/// The local cluster (initdb --auth=trust) and a generated secrets key are development conveniences:
/// outside Development, a missing connection string or secrets key stops the start with a message
/// that names the setting. No test collection: each test starts (or fails to start) its own host.
/// </summary>
public sealed class StartupConfigurationTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "raffssync-startup-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task production_without_a_connection_string_fails_at_start_naming_it_and_creates_no_cluster_or_key()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartProductionHostAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = "",
            [SecretVault.ConfigurationKey] = "",
            ["RaffsSync:LocalPostgres:Directory"] = Path.Combine(_scratch, "postgres"),
            ["RaffsSync:LocalPostgres:Port"] = LocalPostgresCluster.FreePort().ToString()
        }));

        var message = Messages(failure);
        Assert.Contains("ConnectionStrings__Postgres", message);
        Assert.Contains("RaffsSync__LocalPostgres__Enabled", message);
        Assert.False(Directory.Exists(_scratch), "no cluster folder and no secrets.key may be written");
    }

    [Fact]
    public async Task production_without_a_secrets_key_fails_at_start_naming_it()
    {
        var database = await OwnDatabase.CreateAsync();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartProductionHostAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            [SecretVault.ConfigurationKey] = ""
        }));

        Assert.Contains("RaffsSync__Secrets__Key", Messages(failure));
    }

    [Fact]
    public async Task the_local_cluster_can_be_enabled_outside_development_explicitly()
    {
        // Only the decision is checked here: the setting lets the start get as far as the launcher,
        // which then names the port this test holds.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartProductionHostAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = "",
            [SecretVault.ConfigurationKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            [DatabaseConnection.LocalClusterEnabledKey] = "true",
            ["RaffsSync:LocalPostgres:Directory"] = Path.Combine(_scratch, "postgres"),
            ["RaffsSync:LocalPostgres:Port"] = port.ToString()
        }));

        Assert.Contains($"Port {port}", Messages(failure));
    }

    [Fact]
    public void a_taken_port_is_named_with_the_setting_that_moves_the_local_cluster()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var failure = Assert.Throws<InvalidOperationException>(() =>
            LocalPostgresCluster.Start(new LocalPostgresOptions(Path.Combine(_scratch, "postgres"), port, Durable: false)));

        Assert.Contains($"Port {port} on 127.0.0.1 is already in use", failure.Message);
        Assert.Contains("RaffsSync__LocalPostgres__Port", failure.Message);
        Assert.False(Directory.Exists(Path.Combine(_scratch, "postgres", "data")), "nothing is initialised for a port that cannot be used");
    }

    private static Task<IAlbaHost> StartProductionHostAsync(IReadOnlyDictionary<string, string> settings)
    {
        JasperFxEnvironment.AutoStartHost = true;
        return AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Production");
            foreach (var (name, value) in settings) builder.UseSetting(name, value);
        });
    }

    private static string Messages(Exception failure)
    {
        var messages = new List<string>();
        for (Exception? e = failure; e is not null; e = e.InnerException) messages.Add(e.Message);
        if (failure is AggregateException aggregate) messages.AddRange(aggregate.InnerExceptions.Select(e => e.Message));
        return string.Join(Environment.NewLine, messages);
    }

    public void Dispose()
    {
        if (Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true);
    }
}
