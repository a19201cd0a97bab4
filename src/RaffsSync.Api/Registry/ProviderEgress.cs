using System.Net;
using System.Net.Sockets;
using Npgsql;
using RaffsSync.Api.Dispatches;
using RaffsSync.Api.Infrastructure;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Registry;

/// <summary>A provider call to an address the egress rules refuse; nothing was sent.</summary>
public sealed class EgressDeniedException(string message) : Exception(message)
{
    /// <summary>The denial behind a failed request, if that is why it failed (SocketsHttpHandler wraps what ConnectCallback throws).</summary>
    public static EgressDeniedException? Behind(Exception e) => e.Find<EgressDeniedException>();
}

/// <summary>
/// Where provider calls (and OAuth token requests) may connect. The check runs when the socket
/// connects: the host is resolved once, every address is checked, and the connection goes to a
/// checked address, so a name that resolves differently later (DNS rebinding) cannot get around it.
/// <c>RaffsSync:Egress:Allow</c> lists CIDR ranges, addresses or host names that may be reached
/// even though they are special-purpose; <c>RaffsSync:Egress:AllowLoopback</c> (default true in
/// Development and Testing) adds 127.0.0.0/8 and ::1. The service's own address (the built-in
/// sandbox, base URL <c>/sandbox</c>) is always allowed; its own database never is.
/// </summary>
public sealed class ProviderEgress
{
    public const string AllowKey = "RaffsSync:Egress:Allow";
    public const string AllowLoopbackKey = "RaffsSync:Egress:AllowLoopback";

    private readonly SelfAddress _self;
    private readonly Lazy<EgressRules> _rules;

    public ProviderEgress(IConfiguration configuration, IHostEnvironment environment, SelfAddress self, DatabaseConnection database)
    {
        _self = self;
        var allowLoopback = configuration.GetValue(AllowLoopbackKey, IsLocal(environment));
        var allow = AllowList(configuration, AllowKey).Concat(allowLoopback ? EgressRules.Loopback : []).ToList();
        _rules = new Lazy<EgressRules>(() => new EgressRules(allow, DatabaseEndpoints(database.ConnectionString)));
    }

    /// <summary>Development and Testing, where test providers and receivers listen on loopback.</summary>
    public static bool IsLocal(IHostEnvironment environment) => environment.IsDevelopment() || environment.IsEnvironment("Testing");

    /// <summary>
    /// An allow-list setting: comma-, semicolon- or space-separated, or as children (<c>__0</c>, <c>__1</c>). A wrong
    /// entry fails here, at start, not on the first call.
    /// </summary>
    public static IReadOnlyList<string> AllowList(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        var allow = (section.Value ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Concat(section.GetChildren().Select(c => c.Value ?? "")).ToList();
        try
        {
            _ = new EgressRules(allow);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{key}: {e.Message}", e);
        }
        return allow;
    }

    public EgressRules Rules => _rules.Value;

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var (host, port) = (context.DnsEndPoint.Host.Trim('[', ']'), context.DnsEndPoint.Port);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellation);

        if (!IsSelf(host, port) && Rules.Refusal(host, port, addresses) is { } refusal) throw new EgressDeniedException(refusal);
        return await ConnectToAsync(addresses, port, cancellation);
    }

    /// <summary>A connection to one of <paramref name="addresses"/>, those already checked: never a name resolved again.</summary>
    public static async ValueTask<Stream> ConnectToAsync(IPAddress[] addresses, int port, CancellationToken cancellation)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Where the service's PostgreSQL listens (Npgsql's <c>Host</c> may list several, each with its own port).</summary>
    public static IEnumerable<IPEndPoint> DatabaseEndpoints(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        foreach (var entry in (builder.Host ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.StartsWith('/')) continue; // a Unix socket directory
            var (host, port) = SplitPort(entry, builder.Port);
            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
            }
            catch (SocketException)
            {
                continue;
            }
            foreach (var address in addresses) yield return new IPEndPoint(address, port);
        }
    }

    private static (string Host, int Port) SplitPort(string entry, int defaultPort)
    {
        var colon = entry.LastIndexOf(':');
        var bracketed = entry.StartsWith('[');
        if (colon > 0 && (bracketed ? entry[colon - 1] == ']' : entry.IndexOf(':') == colon) && int.TryParse(entry[(colon + 1)..], out var port))
            return (entry[..colon].Trim('[', ']'), port);
        return (entry.Trim('[', ']'), defaultPort);
    }

    private bool IsSelf(string host, int port)
    {
        if (!Uri.TryCreate(_self.TryRoot(), UriKind.Absolute, out var root)) return false;
        return root.Port == port && string.Equals(root.Host.Trim('[', ']'), host, StringComparison.OrdinalIgnoreCase);
    }
}

public static class ProviderHttpClient
{
    /// <summary>The HTTP client for provider calls: no redirects, no proxy, no request logging, egress checked at connect.</summary>
    public static IServiceCollection AddProviderHttpClient(this IServiceCollection services)
    {
        services.AddSingleton<ProviderEgress>();
        services.AddHttpClient(ProviderGateway.ClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan) // each route sets its own timeout
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                // A proxy would make the connection (and the address check) about the proxy, not the provider.
                UseProxy = false,
                ConnectCallback = services.GetRequiredService<ProviderEgress>().ConnectAsync
            })
            .RemoveAllLoggers(); // request URLs can carry credentials (api_key in the query)
        return services;
    }
}
