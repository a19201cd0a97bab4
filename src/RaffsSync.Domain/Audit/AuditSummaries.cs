using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Inbound;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Domain.Audit;

/// <summary>
/// A one-line, human summary of every event type the system records. A type without one is a gap
/// in the audit log: the tests compare this list with the event types Marten knows.
/// </summary>
public static class AuditSummaries
{
    private static readonly Dictionary<Type, Func<object, string>> Summaries = new();

    static AuditSummaries()
    {
        // Dispatches
        Add<DispatchRequested>(e => $"Dispatch requested: {e.Provider}/{e.RouteKey} v{e.RouteVersion} for location {e.TenantId} ({EnumNames.Snake(e.Environment)})");
        Add<DispatchAttemptStarted>(e => $"Attempt {e.Attempt} started: {e.Request.Method} {e.Request.Url}");
        Add<ProviderResponded>(e => $"Provider answered attempt {e.Attempt} with {e.StatusCode} in {e.LatencyMs} ms" + (e.Page > 1 ? $" (page {e.Page})" : ""));
        Add<ProviderUnreachable>(e => $"Provider unreachable on attempt {e.Attempt} after {e.LatencyMs} ms: {e.Error}");
        Add<DispatchRetryScheduled>(e => $"Retry after attempt {e.Attempt} scheduled for {e.NextAttemptAt:u}: {e.Reason}");
        Add<DispatchDeadLettered>(e => $"Dead-lettered after attempt {e.Attempt}: {e.Reason}");
        Add<DispatchOutcomeUnknown>(e => $"Outcome unknown after attempt {e.Attempt}: {e.Reason}");
        Add<DispatchReconciled>(e => $"Reconciled attempt {e.Attempt} with {e.LookupRouteKey}: " +
            (e.Happened switch { true => "it happened", false => "it did not happen", null => "still unknown" }));
        Add<DispatchAttemptInterrupted>(e => $"Attempt {e.Attempt} interrupted (no answer was recorded)");
        Add<DispatchRequeued>(e => $"Attempt {e.Attempt} queued again by the reconciler: {e.Reason}");
        Add<DispatchReplayRequested>(e => $"Replay requested with route v{e.RouteVersion} ({e.Mode}): {e.Reason}");
        Add<DispatchCancelled>(e => $"Dispatch cancelled: {e.Reason}");
        Add<DispatchSucceeded>(e => $"Dispatch succeeded on attempt {e.Attempt}" + (e.Pages > 1 ? $" ({e.Pages} pages)" : ""));
        Add<DispatchFailed>(e => $"Dispatch failed on attempt {e.Attempt} ({EnumNames.Snake(e.FailureType)}): {e.Reason}");
        Add<ReplayJobStarted>(e => $"Bulk replay started ({e.Mode}): {e.Reason}");
        Add<ReplayJobProgressed>(e => $"Bulk replay progressed: {e.Replayed} replayed, {e.Skipped} skipped");
        Add<ReplayJobCompleted>(_ => "Bulk replay completed");
        Add<ReplayJobCancelled>(_ => "Bulk replay cancelled");
        Add<ReplayJobFailed>(e => $"Bulk replay failed: {e.Reason}");

        // Registry
        Add<ProviderRegistered>(e => $"Provider {e.Key} registered ({e.Name}, auth {e.AuthKind})");
        Add<ProviderChanged>(e => $"Provider {e.Key} changed ({e.Name}, auth {e.AuthKind})");
        Add<ProviderRetired>(e => $"Provider {e.Key} retired");
        Add<RouteDefined>(e => $"Route {e.Provider}/{e.RouteKey} defined as v{e.Version}");
        Add<RouteRevised>(e => $"Route {e.Provider}/{e.RouteKey} revised to v{e.Version}");
        Add<RouteDisabled>(e => $"Route {e.Provider}/{e.RouteKey} disabled");
        Add<RouteEnabled>(e => $"Route {e.Provider}/{e.RouteKey} enabled");
        Add<RouteRetired>(e => $"Route {e.Provider}/{e.RouteKey} retired");

        // Connections
        Add<ConnectionCreated>(e => $"Connection to {e.Provider} ({EnumNames.Snake(e.Environment)}) created for location {e.TenantId}");
        Add<ConnectionSettingsChanged>(e => $"Connection settings changed: {string.Join(", ", e.Settings.Keys.Order())}");
        Add<ConnectionCredentialsRotated>(e => $"Connection credentials rotated: {string.Join(", ", e.Credentials.Select(c => c.Name).Order())}");
        Add<ConnectionRemoved>(_ => "Connection removed");

        // Inbound events
        Add<InboundEventReceived>(e => $"Inbound {e.Provider} event {e.EventType} received" + (e.ProviderEventId is { } id ? $" (provider id {id})" : ""));
        Add<InboundEventRouted>(e => e.Kind == "chain"
            ? $"Inbound event chained by route {e.RouteKey} v{e.RouteVersion} into dispatch {e.DispatchId}"
            : $"Inbound event forwarded by route {e.RouteKey} v{e.RouteVersion} as {e.ForwardedAs}");
        Add<InboundEventUnrouted>(e => $"Inbound event not routed: {e.Reason}");

        // Webhooks
        Add<WebhookEndpointCreated>(e => $"Webhook endpoint created for {string.Join(", ", e.EventTypes)}" + (e.Ordered ? " (ordered)" : ""));
        Add<WebhookEndpointChanged>(e => $"Webhook endpoint changed ({(e.Enabled ? "enabled" : "disabled")})");
        Add<WebhookEndpointDisabled>(e => $"Webhook endpoint disabled: {e.Reason}");
        Add<WebhookEndpointDeleted>(_ => "Webhook endpoint deleted");
        Add<WebhookSecretRotated>(e => $"Webhook signing secret rotated; the previous one signs until {e.PreviousValidUntil:u}");
        Add<WebhookDeliveryCreated>(e => $"Webhook message {e.MessageId} ({e.EventType}) queued for endpoint {e.EndpointId}");
        Add<WebhookAttempted>(e => $"Webhook attempt {e.Attempt}: " + (e.StatusCode is { } status ? $"{status} in {e.LatencyMs} ms" : $"no answer after {e.LatencyMs} ms ({e.Error})"));
        Add<WebhookDelivered>(e => $"Webhook delivered on attempt {e.Attempt}");
        Add<WebhookRetryScheduled>(e => $"Webhook retry after attempt {e.Attempt} scheduled for {e.NextAttemptAt:u}: {e.Reason}");
        Add<WebhookDeliveryFailed>(e => $"Webhook delivery failed after attempt {e.Attempt}: {e.Reason}");
        Add<WebhookDeliveryAbandoned>(e => $"Webhook delivery abandoned: {e.Reason}");
        Add<WebhookDeliveryResent>(e => $"Webhook message sent again: {e.Reason}");
        Add<WebhookRecoveryStarted>(e => $"Webhook recovery started for endpoint {e.EndpointId}: failed messages from {e.Since:u} to {e.Until:u}");
        Add<WebhookRecoveryProgressed>(e => $"Webhook recovery progressed: {e.Resent} sent again");
        Add<WebhookRecoveryCompleted>(_ => "Webhook recovery completed");

        // Access
        Add<CustomerCreated>(e => $"Customer {e.CustomerId} created ({e.Name})");
        Add<LocationAdded>(e => $"Location {e.TenantId} added to customer {e.CustomerId} ({e.Name})");
        Add<ApiKeyCreated>(e => $"API key {e.DisplayPrefix}... created for a {EnumNames.Snake(e.CallerClass)} caller with scopes {string.Join(" ", e.Scopes)}");
        Add<ApiKeyRevoked>(_ => "API key revoked");
        Add<OAuthClientRegistered>(e => $"OAuth client {e.ClientId} registered for a {EnumNames.Snake(e.CallerClass)} caller with scopes {string.Join(" ", e.Scopes)}");
        Add<OAuthClientRevoked>(_ => "OAuth client revoked");
    }

    private static void Add<TEvent>(Func<TEvent, string> summary) => Summaries[typeof(TEvent)] = data => summary((TEvent)data);

    public static IReadOnlyCollection<Type> Covered => Summaries.Keys;

    public static bool Covers(Type eventType) => Summaries.ContainsKey(eventType);

    /// <summary>The summary, or the event type's name for a type this list does not know yet.</summary>
    public static string Summarize(object data) =>
        Summaries.TryGetValue(data.GetType(), out var summary) ? summary(data) : data.GetType().Name;

}
