using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>
/// The real host on Kestrel at 127.0.0.1 with a free port, for clients outside the process (a browser):
/// Alba's TestServer answers only in memory. Configured like every other test host.
/// </summary>
public sealed class LoopbackHost : IAsyncDisposable
{
    // Disposing the factory disposes the configured one derived from it, and so the host.
    private readonly WebApplicationFactory<Program> _factory;

    private LoopbackHost(WebApplicationFactory<Program> factory, Uri address, IServiceProvider services)
    {
        _factory = factory;
        Address = address;
        Services = services;
    }

    /// <summary>The host's services (its document store, to make keys).</summary>
    public IServiceProvider Services { get; }

    /// <summary>Where the host listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public static LoopbackHost Start(OwnDatabase database, IReadOnlyDictionary<string, string>? settings = null)
    {
        JasperFxEnvironment.AutoStartHost = true;
        var factory = new WebApplicationFactory<Program>();
        var configured = factory.WithWebHostBuilder(builder =>
        {
            AppFixture.Configure(builder, database.ConnectionString, database.SecretsKey, new CapturedLogs(), settings: settings);
            builder.UseSetting("urls", "http://127.0.0.1:0");
            // Outside Development the framework's own assets (the console's blazor.web.js) are found only in a
            // published app; a test host runs from the build output, as `dotnet run` does.
            builder.UseStaticWebAssets();
        });
        configured.UseKestrel();
        configured.StartServer();

        var address = configured.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.Single();
        return new LoopbackHost(factory, new Uri(address), configured.Services);
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
