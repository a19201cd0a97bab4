using System.Net;
using System.Net.Sockets;
using RaffsSync.Api.Infrastructure;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Api.Registry;
using RaffsSync.Domain;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Webhooks;

/// <summary>A webhook delivery to an address the webhook egress rules refuse; nothing was sent, and retrying cannot help.</summary>
public sealed class WebhookEgressDeniedException(string message) : Exception(message)
{
    /// <summary>The denial behind a failed request, if that is why it failed (SocketsHttpHandler wraps what ConnectCallback throws).</summary>
    public static WebhookEgressDeniedException? Behind(Exception e) => e.Find<WebhookEgressDeniedException>();
}

/// <summary>
/// Where webhook deliveries may go (OWASP API7, SSRF): one set of rules for the check when an endpoint's URL is registered or
/// changed (<see cref="RefusalAsync"/>) and for the check when the <c>webhooks</c> client connects (<see cref="ConnectAsync"/>).
/// The URL must be <c>https</c>, and no address its host resolves to may be special-purpose (loopback, private networks,
/// link-local with the metadata service, carrier-grade NAT, ...; <see cref="EgressRules.SpecialPurpose"/>) unless
/// <c>RaffsSync:Webhooks:Allow</c> names it (CIDR ranges, addresses or host names). <c>RaffsSync:Webhooks:AllowLoopback</c>
/// and <c>RaffsSync:Webhooks:AllowHttp</c> (both default true in Development and Testing only) admit 127.0.0.0/8 and ::1,
/// and <c>http</c>. The service's own database is never reachable. The settings are separate from the provider egress ones:
/// an operator trusts the providers they register, not every URL a customer types.
/// </summary>
public sealed class WebhookEgress
{
    public const string AllowKey = "RaffsSync:Webhooks:Allow";
    public const string AllowLoopbackKey = "RaffsSync:Webhooks:AllowLoopback";
    public const string AllowHttpKey = "RaffsSync:Webhooks:AllowHttp";

    /// <summary>How long a registration waits for DNS before calling a host unresolvable.</summary>
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    private readonly Lazy<EgressRules> _rules;

    public WebhookEgress(IConfiguration configuration, IHostEnvironment environment, DatabaseConnection database)
    {
        var local = ProviderEgress.IsLocal(environment);
        AllowHttp = configuration.GetValue(AllowHttpKey, local);
        var allow = ProviderEgress.AllowList(configuration, AllowKey)
            .Concat(configuration.GetValue(AllowLoopbackKey, local) ? EgressRules.Loopback : []).ToList();
        _rules = new Lazy<EgressRules>(() => new EgressRules(allow, ProviderEgress.DatabaseEndpoints(database.ConnectionString)));
    }

    /// <summary>Whether endpoint URLs may be <c>http</c>.</summary>
    public bool AllowHttp { get; }

    public EgressRules Rules => _rules.Value;

    /// <summary>
    /// Why deliveries to <paramref name="url"/> could not be made, as a field error on <c>url</c>: its host does not resolve,
    /// or resolves to an address that is refused. Null when they could. The same check runs again at every connection.
    /// </summary>
    public async Task<FieldError?> RefusalAsync(Uri url, CancellationToken cancellation)
    {
        var host = url.IdnHost.Trim('[', ']');
        IReadOnlyList<IPAddress> addresses;
        if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
        else if (Rules.Refusal(host, url.Port, []) is null) return null; // allowed by name: reached wherever it resolves to
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(ResolveTimeout);
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception e) when (e is SocketException || e is OperationCanceledException && !cancellation.IsCancellationRequested)
            {
                addresses = [];
            }
            if (addresses.Count == 0) return new FieldError("url", "unresolvable", $"the host {host} does not resolve to an address");
        }
        return Rules.Refusal(host, url.Port, addresses) is { } refusal
            ? new FieldError("url", "egress_denied",
                $"{refusal}: webhook URLs may not reach loopback, private, link-local, carrier-grade NAT, metadata or other special-purpose addresses")
            : null;
    }

    /// <summary>
    /// The <c>webhooks</c> client's ConnectCallback: the host is resolved once, every address is checked, and the connection
    /// goes to a checked address, so a name that resolves elsewhere since it was registered (DNS rebinding) is caught here.
    /// </summary>
    /// <exception cref="WebhookEgressDeniedException">The address, or plain http, is refused; nothing was sent.</exception>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var (host, port) = (context.DnsEndPoint.Host.Trim('[', ']'), context.DnsEndPoint.Port);
        if (!AllowHttp && context.InitialRequestMessage.RequestUri?.Scheme == Uri.UriSchemeHttp)
            throw new WebhookEgressDeniedException($"egress to {host} over http is not allowed: webhook URLs must use https");
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellation);

        if (Rules.Refusal(host, port, addresses) is { } refusal) throw new WebhookEgressDeniedException(refusal);
        return await ProviderEgress.ConnectToAsync(addresses, port, cancellation);
    }
}
