using Wolverine;

namespace RaffsSync.Api.Webhooks;

public static class WebhookSetup
{
    public static void AddWebhookDelivery(this WolverineOptions opts, IConfiguration configuration)
    {
        opts.Services.AddSingleton(WebhookSettings.From(configuration));
        opts.Services.AddSingleton<WebhookSender>();
        opts.Services.AddSingleton<EndpointRateLimits>();
    }
}
