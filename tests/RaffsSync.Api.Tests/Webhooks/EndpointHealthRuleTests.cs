using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Tests.Webhooks;

/// <summary>
/// The rule that disables an endpoint failing for days, on a host whose rule is scaled down to seconds (two failures
/// start the clock, three seconds of failing disable) so it plays out within one message's schedule. No collection: its
/// own host on its own database.
/// </summary>
public sealed class EndpointHealthRuleTests
{
    private static readonly Dictionary<string, string> ScaledDown = new()
    {
        // Nine attempts at least 0.9 s apart: the schedule outlasts the three seconds that disable, however fast retries run.
        ["RaffsSync:Webhooks:RetrySchedule"] = "PT1S,PT1S,PT1S,PT1S,PT1S,PT1S,PT1S,PT1S",
        ["RaffsSync:Webhooks:DisableAfter"] = "PT3S",
        ["RaffsSync:Webhooks:FailuresToStart"] = "2",
        ["RaffsSync:Webhooks:FailureWindow"] = "PT1H"
    };

    [Fact]
    public async Task an_endpoint_failing_every_attempt_for_longer_than_the_rule_is_disabled_and_one_failure_alone_does_not_start_the_clock()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: ScaledDown);
        var key = await host.CreateInternalKeyAsync();
        await using var failing = await WebhookReceiver.StartAsync();
        await using var recovering = await WebhookReceiver.StartAsync();
        failing.Answer = _ => (500, null);
        // One failure, then success: below the two failures that start the clock, whatever the timing. (That a success
        // forgives a running clock is the domain's EndpointHealthTests: with real time here it would race the rule.)
        var answers = 0;
        recovering.Answer = _ => Interlocked.Increment(ref answers) == 1 ? (500, null) : (200, null);
        var (failingEndpoint, _) = await host.CreateEndpointAsync("cus_health", failing.Url, ["webhook.test"]);
        var (recoveringEndpoint, _) = await host.CreateEndpointAsync("cus_health", recovering.Url, ["webhook.test"]);

        var (_, failingMessage) = await host.SendTestMessageAsync(key, failingEndpoint);
        var (_, recoveringMessage) = await host.SendTestMessageAsync(key, recoveringEndpoint);
        var stopped = await host.WaitForDeliveryAsync(failingMessage, WebhookDeliveryStatus.Abandoned, WebhookDeliveryStatus.Failed);
        await host.WaitForDeliveryAsync(recoveringMessage, WebhookDeliveryStatus.Succeeded);

        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var disabled = (await session.LoadAsync<WebhookEndpoint>(failingEndpoint))!;
        Assert.False(disabled.Enabled);
        Assert.StartsWith("every attempt failed since", disabled.DisabledReason);
        var disabledEvent = Assert.Single((await session.Events.FetchStreamAsync(failingEndpoint)).Select(e => e.Data).OfType<WebhookEndpointDisabled>());
        var attempts = (await session.Events.FetchStreamAsync(stopped.Id)).Select(e => e.Data).OfType<WebhookAttempted>().ToList();
        Assert.True(disabledEvent.DisabledAt - attempts[0].AttemptedAt >= TimeSpan.FromSeconds(3), "disabled before failing for the rule's time");
        // Once disabled nothing more is sent: the message stops as abandoned with the reason, its schedule unfinished.
        Assert.Equal(WebhookDeliveryStatus.Abandoned, stopped.Status);
        Assert.Equal(attempts.Count, failing.Received.Count);
        Assert.True(attempts.Count < 9, "every attempt of the schedule was made although the endpoint was disabled");

        Assert.True((await session.LoadAsync<WebhookEndpoint>(recoveringEndpoint))!.Enabled, "one failure started the clock");
        Assert.Null((await session.LoadAsync<EndpointHealth>(recoveringEndpoint))!.FailingSince);
    }
}
