using Wolverine;

namespace RaffsSync.Api.Webhooks;

public static class WebhookSetup
{
    public static void AddWebhookDelivery(this WolverineOptions opts, IConfiguration configuration)
    {
        // One at a time: deliveries are created in the order the events happened (ordered endpoints rely on it).
        opts.LocalQueueFor<PublishWebhookEvent>().Sequential();
        opts.LocalQueueFor<DeliverWebhook>().MaximumParallelMessages(
            configuration.GetValue("RaffsSync:Webhooks:MaxParallelDeliveries", 32));

        opts.Services.AddSingleton(WebhookSettings.From(configuration));
        opts.Services.AddSingleton<WebhookSender>();
        opts.Services.AddSingleton<EndpointRateLimits>();
    }
}
