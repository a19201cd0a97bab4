using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using JasperFx;
using Marten;
using RaffsSync.Api.Connections;
using RaffsSync.Domain.Webhooks;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Runtime;

namespace RaffsSync.Api.Webhooks;

/// <summary>Make attempt <paramref name="Attempt"/> of a delivery; the location (if any) rides on the envelope. Stale attempts do nothing.</summary>
public sealed record DeliverWebhook(Guid DeliveryId, int Attempt = 1);

/// <summary>A message to an ordered endpoint finished: the next one in order may go.</summary>
public sealed record ReleaseOrderedEndpoint(Guid EndpointId);

/// <summary>
/// Sends one attempt of a delivery and records it, with what follows: success, a retry on the schedule, failure when the
/// schedule is used up; a 410 Gone or days of failures disable the endpoint. On an ordered endpoint a message waits while
/// an earlier one is unfinished, and each finished message releases the next.
/// </summary>
public static class DeliverWebhookHandler
{
    public static async Task<OutgoingMessages> Handle(DeliverWebhook command, IDocumentSession session, SecretVault vault,
        WebhookSender sender, WebhookSettings settings, EndpointRateLimits limits, TimeProvider clock, CancellationToken cancellation)
    {
        var stream = await session.Events.FetchForWriting<WebhookDelivery>(command.DeliveryId, cancellation);
        if (stream.Aggregate is not { } delivery || !WebhookDeliveryDecisions.IsDue(delivery, command.Attempt)) return [];

        var endpoint = await session.LoadAsync<WebhookEndpoint>(delivery.EndpointId, cancellation);
        if (endpoint is not { Enabled: true, Deleted: false })
        {
            var why = endpoint is null or { Deleted: true } ? "the endpoint was deleted" : $"the endpoint is disabled ({endpoint.DisabledReason ?? "by its owner"})";
            stream.AppendOne(new WebhookDeliveryAbandoned(delivery.Id, why, clock.GetUtcNow()));
            return endpoint is { Ordered: true } ? [new ReleaseOrderedEndpoint(endpoint.Id)] : [];
        }

        if (endpoint.Ordered && await HeldBehindEarlierAsync(session, delivery, cancellation)) return [];
        if (!limits.TryAcquire(endpoint))
            return [Attempt(delivery, command.Attempt, clock.GetUtcNow() + TimeSpan.FromMilliseconds(1000 + Random.Shared.Next(250)))];

        var secrets = await WebhookSecrets.SigningSecretsAsync(session, vault, endpoint.Id, clock.GetUtcNow(), cancellation);
        var result = await sender.SendAsync(endpoint.Url, delivery, secrets, cancellation);
        var now = clock.GetUtcNow();
        var record = WebhookDeliveryDecisions.RecordAttempt(delivery, command.Attempt, result, settings.Schedule, now, Random.Shared.NextDouble());
        stream.AppendMany(record.Events);

        var messages = new OutgoingMessages();
        if (record.RetryAt is { } at) messages.Add(Attempt(delivery, command.Attempt + 1, at));
        else if (endpoint.Ordered) messages.Add(new ReleaseOrderedEndpoint(endpoint.Id));

        if (await HealthAfterAsync(session, endpoint, record, settings.Health, now, cancellation) is { } disabled)
            session.ForTenant(StorageConstants.DefaultTenantId).Events.Append(endpoint.Id, disabled);
        return messages;
    }

    /// <summary>Sends the first unfinished message of an ordered endpoint, unless it is already waiting for a scheduled retry.</summary>
    public static async Task<OutgoingMessages> Handle(ReleaseOrderedEndpoint command, IQuerySession session, CancellationToken cancellation)
    {
        var next = await Unfinished(session, command.EndpointId).OrderBy(d => d.OrderKey).ThenBy(d => d.CreatedAt).FirstOrDefaultAsync(cancellation);
        return next is { Status: WebhookDeliveryStatus.Pending } ? [Attempt(next, next.Attempts + 1, null)] : [];
    }

    public static DeliveryMessage<DeliverWebhook> Attempt(WebhookDelivery delivery, int attempt, DateTimeOffset? at) =>
        new DeliverWebhook(delivery.Id, attempt).WithDeliveryOptions(new DeliveryOptions
        {
            ScheduledTime = at,
            TenantId = delivery.TenantId ?? StorageConstants.DefaultTenantId
        });

    private static IQueryable<WebhookDelivery> Unfinished(IQuerySession session, Guid endpointId) =>
        session.Query<WebhookDelivery>().Where(d => d.AnyTenant() && d.EndpointId == endpointId
            && (d.Status == WebhookDeliveryStatus.Pending || d.Status == WebhookDeliveryStatus.RetryScheduled));

    private static Task<bool> HeldBehindEarlierAsync(IQuerySession session, WebhookDelivery delivery, CancellationToken cancellation) =>
        Unfinished(session, delivery.EndpointId)
            .Where(d => d.Id != delivery.Id && (d.OrderKey < delivery.OrderKey || d.OrderKey == delivery.OrderKey && d.CreatedAt < delivery.CreatedAt))
            .AnyAsync(cancellation);

    /// <summary>Updates the endpoint's health with this attempt; the disable event when the endpoint is gone or has failed too long.</summary>
    private static async Task<WebhookEndpointDisabled?> HealthAfterAsync(IDocumentSession session, WebhookEndpoint endpoint,
        WebhookAttemptRecord record, HealthRule rule, DateTimeOffset now, CancellationToken cancellation)
    {
        var health = await session.LoadAsync<EndpointHealth>(endpoint.Id, cancellation) ?? new EndpointHealth { Id = endpoint.Id };
        health = record.Succeeded ? health.Succeeded(now) : health.Failed(now, rule);
        if (record.EndpointGone)
        {
            session.Store(new EndpointHealth { Id = endpoint.Id });
            return new WebhookEndpointDisabled(endpoint.Id, endpoint.CustomerId, "the endpoint answered 410 Gone", now);
        }
        if (health.ShouldDisable(now, rule))
        {
            session.Store(new EndpointHealth { Id = endpoint.Id });
            return new WebhookEndpointDisabled(endpoint.Id, endpoint.CustomerId,
                $"every attempt failed since {health.FailingSince:u}, for {Describe(now - health.FailingSince!.Value)}", now);
        }
        session.Store(health);
        return null;
    }

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => $"{span.TotalDays:0.#} days",
        { TotalHours: >= 1 } => $"{span.TotalHours:0.#} hours",
        { TotalMinutes: >= 1 } => $"{span.TotalMinutes:0.#} minutes",
        _ => $"{span.TotalSeconds:0.#} seconds"
    };
}

/// <summary>Each endpoint's own <c>rate_limit</c> (deliveries per second), counted on this node.</summary>
public sealed class EndpointRateLimits
{
    private readonly ConcurrentDictionary<Guid, (int Limit, RateLimiter Limiter)> _limiters = new();

    public bool TryAcquire(WebhookEndpoint endpoint)
    {
        if (endpoint.RateLimit is not { } limit) return true;
        var entry = _limiters.AddOrUpdate(endpoint.Id, _ => (limit, Create(limit)),
            (_, existing) => existing.Limit == limit ? existing : (limit, Create(limit)));
        using var lease = entry.Limiter.AttemptAcquire();
        return lease.IsAcquired;
    }

    private static RateLimiter Create(int perSecond) => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
    {
        TokenLimit = perSecond,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true
    });
}

/// <summary>
/// A delivery whose attempt keeps failing inside RaffsSync (not at the endpoint: that is an answer) stops as failed with
/// the cause, so it is final and can be retried or recovered; an ordered endpoint's next message is released.
/// </summary>
internal sealed class FailWebhookDelivery(Exception? exception = null) : Dispatches.GiveUpContinuation(exception)
{
    public override string Description => "Dead-letter the message and fail its webhook delivery";

    public override IContinuation Build(Exception ex, Envelope envelope) => new FailWebhookDelivery(ex);

    protected override async Task RecordAsync(Envelope envelope, IDocumentStore store, string cause, DateTimeOffset now)
    {
        if (envelope.Message is not DeliverWebhook command) return;

        await using var session = store.LightweightSession(envelope.TenantId ?? StorageConstants.DefaultTenantId);
        FollowEnvelope(session, envelope);
        var stream = await session.Events.FetchForWriting<WebhookDelivery>(command.DeliveryId);
        if (stream.Aggregate is not { IsFinal: false } delivery) return;

        stream.AppendOne(new WebhookDeliveryFailed(delivery.Id, delivery.Attempts, $"RaffsSync could not make the attempt ({cause})", now));
        await session.SaveChangesAsync();
    }

    protected override async Task AfterRecordAsync(Envelope envelope, IDocumentStore store, IMessageBus bus)
    {
        if (envelope.Message is not DeliverWebhook command) return;
        await using var session = store.QuerySession(envelope.TenantId ?? StorageConstants.DefaultTenantId);
        if (await session.LoadAsync<WebhookDelivery>(command.DeliveryId) is { } delivery
            && await session.LoadAsync<WebhookEndpoint>(delivery.EndpointId) is { Ordered: true } endpoint)
            await bus.PublishAsync(new ReleaseOrderedEndpoint(endpoint.Id));
    }
}
