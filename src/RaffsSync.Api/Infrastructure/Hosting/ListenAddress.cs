namespace RaffsSync.Api.Infrastructure.Hosting;

/// <summary>
/// Where the server listens: whatever ASP.NET Core is told (<c>ASPNETCORE_URLS</c>, <c>--urls</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c>, <c>Kestrel:Endpoints</c>), else http://localhost:5080. The launch
/// profile deliberately names no URL, since <c>dotnet run</c> would let it override all of those.
/// </summary>
public static class ListenAddress
{
    public const string Default = "http://localhost:5080";

    public static void ListenOnDefaultAddressUnlessConfigured(this WebApplicationBuilder builder)
    {
        if (!IsConfigured(builder.Configuration)) builder.WebHost.UseUrls(Default);
    }

    public static bool IsConfigured(IConfiguration configuration) =>
        new[] { "urls", "http_ports", "https_ports" }.Any(key => !string.IsNullOrWhiteSpace(configuration[key]))
        || configuration.GetSection("Kestrel:Endpoints").Exists();
}
