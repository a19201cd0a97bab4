using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace RaffsSync.Api.Registry;

/// <summary>
/// This service's own base URL, for providers whose base URL is relative (the built-in sandbox).
/// <c>RaffsSync:SelfUrl</c> wins; otherwise the first address the server listens on.
/// </summary>
public sealed class SelfAddress(IConfiguration configuration, IServer server)
{
    public string Resolve(string baseUrl)
    {
        if (!baseUrl.StartsWith('/')) return baseUrl;
        return Root().TrimEnd('/') + baseUrl;
    }

    /// <summary>This service's root URL, or null while it is unknown.</summary>
    public string? TryRoot()
    {
        try
        {
            return Root();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private string Root()
    {
        var configured = configuration["RaffsSync:SelfUrl"];
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The service's own address is unknown: set RaffsSync:SelfUrl.");
        return address.Replace("://+", "://localhost").Replace("://*", "://localhost")
            .Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://[::1]");
    }
}
