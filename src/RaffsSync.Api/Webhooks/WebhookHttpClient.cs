namespace RaffsSync.Api.Webhooks;

public static class WebhookHttpClient
{
    public const string Name = "webhooks";

    /// <summary>
    /// The HTTP client deliveries go out on: no redirects followed, no proxy, no request logging, and every connection checked
    /// by <see cref="WebhookEgress"/> (a refused one throws <see cref="WebhookEgressDeniedException"/> inside the HttpRequestException).
    /// </summary>
    public static IServiceCollection AddWebhookHttpClient(this IServiceCollection services)
    {
        services.AddSingleton<WebhookEgress>();
        services.AddHttpClient(Name)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan) // each attempt has its own deadline
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                // A proxy would make the connection (and the address check) about the proxy, not the endpoint.
                UseProxy = false,
                ConnectCallback = services.GetRequiredService<WebhookEgress>().ConnectAsync
            })
            .RemoveAllLoggers();
        return services;
    }
}
