using System.Net;
using System.Net.Sockets;

namespace RaffsSync.Domain.Registry;

/// <summary>
/// Which addresses provider calls may reach. Special-purpose ranges (loopback, private networks,
/// link-local with the cloud metadata service, carrier-grade NAT, benchmarking, multicast,
/// reserved) are refused unless the allow-list names them, so a provider base URL cannot turn the
/// service into a proxy into its own network (OWASP API7, SSRF). IPv6 forms that embed an IPv4
/// address (mapped, compatible, NAT64) are judged by that IPv4 address as well.
/// </summary>
public sealed class EgressRules
{
    public static readonly IReadOnlyList<IPNetwork> SpecialPurpose =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
            // Forms that tunnel or translate to IPv4 (6to4, Teredo, SIIT, local-use NAT64) and retired or unrouted ranges
            // (ORCHID, site-local, benchmarking): any of them can lead back into a private IPv4 network.
            "2002::/16", "2001::/32", "::ffff:0:0:0/96", "64:ff9b:1::/48", "2001:10::/28", "fec0::/10", "2001:2::/48"
        }.Select(IPNetwork.Parse)
    ];

    /// <summary>Loopback only, for Development and Testing, where the sandbox and test providers listen on 127.0.0.1.</summary>
    public static readonly IReadOnlyList<string> Loopback = ["127.0.0.0/8", "::1"];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly IReadOnlyList<IPNetwork> _allowedNetworks;
    private readonly IReadOnlySet<string> _allowedHosts;
    private readonly IReadOnlyList<IPEndPoint> _ownEndpoints;

    /// <summary>Nothing special-purpose is allowed.</summary>
    public static readonly EgressRules Strict = new([]);

    /// <param name="allow">CIDR ranges (<c>10.20.0.0/16</c>), addresses (<c>10.20.0.5</c>) or host names (<c>erp.internal</c>).</param>
    /// <param name="ownEndpoints">The service's own database and the like: never reached, whatever the allow-list says.</param>
    /// <exception cref="ArgumentException">An entry is none of these.</exception>
    public EgressRules(IEnumerable<string> allow, IEnumerable<IPEndPoint>? ownEndpoints = null)
    {
        _ownEndpoints = [.. ownEndpoints ?? []];
        var networks = new List<IPNetwork>();
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in allow.Select(a => a.Trim()).Where(a => a.Length > 0))
        {
            if (IPNetwork.TryParse(raw, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(raw, out var address)) networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            else if (Uri.CheckHostName(raw) == UriHostNameType.Dns) hosts.Add(raw.TrimEnd('.'));
            else throw new ArgumentException($"'{raw}' is not a CIDR range, an IP address or a host name.", nameof(allow));
        }
        _allowedNetworks = networks;
        _allowedHosts = hosts;
    }

    public static bool IsSpecialPurpose(IPAddress address) =>
        Forms(address).Any(form => SpecialPurpose.Any(range => range.Contains(form)));

    /// <summary>Why a call to <paramref name="host"/>:<paramref name="port"/>, resolved to <paramref name="addresses"/>, may not be made; null when it may.</summary>
    public string? Refusal(string host, int port, IReadOnlyList<IPAddress> addresses)
    {
        var own = addresses.FirstOrDefault(a => _ownEndpoints.Any(e => e.Port == port && SameHost(e.Address, a)));
        return own is not null
            ? $"egress to {Shown(host, own)} port {port} is not allowed: it is this service's own database"
            : Refusal(host, addresses);
    }

    /// <summary>Why a call to <paramref name="host"/>, resolved to <paramref name="addresses"/>, may not be made; null when it may.</summary>
    public string? Refusal(string host, IReadOnlyList<IPAddress> addresses)
    {
        if (_allowedHosts.Contains(host.TrimEnd('.'))) return null;
        if (addresses.Count == 0) return $"egress to {host} is not allowed: it has no address";

        var refused = addresses.FirstOrDefault(a => IsSpecialPurpose(a) && !IsAllowed(a));
        if (refused is null) return null;
        return $"egress to {Shown(host, refused)} is not allowed";
    }

    private static string Shown(string host, IPAddress address) =>
        IPAddress.TryParse(host.Trim('[', ']'), out _) ? Normalize(address).ToString() : $"{host} ({Normalize(address)})";

    // Any loopback address reaches a listener on 127.0.0.1 or ::1 (or on every address).
    private static bool SameHost(IPAddress a, IPAddress b)
    {
        var (x, y) = (Normalize(a), Normalize(b));
        return x.Equals(y) || IPAddress.IsLoopback(x) && IPAddress.IsLoopback(y);
    }

    /// <summary>For a base URL whose host is a literal IP address, why calls to it would be refused; null otherwise (host names are checked when connecting).</summary>
    public string? RefusalForLiteralAddress(Uri url) =>
        url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(url.Host.Trim('[', ']'), out var address)
            ? Refusal(url.Host, url.Port, [address])
            : null;

    private bool IsAllowed(IPAddress address) => Forms(address).Any(form => _allowedNetworks.Any(range => range.Contains(form)));

    /// <summary>The address itself, and the IPv4 address it embeds if it is an IPv6 form of one.</summary>
    private static IEnumerable<IPAddress> Forms(IPAddress address)
    {
        // A zone (fe80::1%2) does not change which range an address is in; IPNetwork ignores it only sometimes.
        var plain = address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;
        yield return plain;
        if (EmbeddedIPv4(plain) is { } v4) yield return v4;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return null;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        var compatible = bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0; // ::a.b.c.d (deprecated)
        return compatible || Nat64.Contains(address) ? new IPAddress(bytes.AsSpan(12, 4)) : null;
    }
}
