namespace RaffsSync.Api.Webhooks;

public static class WebhookHttpClient
{
    public const string Name = "webhooks";

    /// <summary>The HTTP client deliveries go out on: no redirects followed, no proxy, no request logging.</summary>
    public static IServiceCollection AddWebhookHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(Name)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan) // each attempt has its own deadline
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
            .RemoveAllLoggers();
        return services;
    }
}
