namespace RaffsSync.Domain.Webhooks;

/// <summary>The event types RaffsSync sends to webhook endpoints. Forwarded provider events add <c>{provider}.{event}</c> types.</summary>
public static class WebhookEventTypes
{
    public const string DispatchSucceeded = "dispatch.succeeded";
    public const string DispatchFailed = "dispatch.failed";
    public const string DispatchDeadLettered = "dispatch.dead_lettered";
    public const string DispatchOutcomeUnknown = "dispatch.outcome_unknown";
    public const string RouteChanged = "route.changed";
    public const string EndpointDisabled = "webhook.endpoint.disabled";
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> Fixed =
        [DispatchSucceeded, DispatchFailed, DispatchDeadLettered, DispatchOutcomeUnknown, RouteChanged, EndpointDisabled, Test];

    /// <summary>The type a forwarded provider event is sent as: <c>grafterr.pos_order.created</c>.</summary>
    public static string Forwarded(string provider, string providerEventType) => $"{provider}.{providerEventType}";

    /// <summary>An endpoint's pattern: an exact type, <c>prefix.*</c> for every type under a prefix, or <c>*</c> for all.</summary>
    public static bool Matches(string pattern, string eventType) =>
        pattern == "*" || pattern == eventType
        || pattern.EndsWith(".*", StringComparison.Ordinal) && eventType.StartsWith(pattern[..^1], StringComparison.Ordinal);

    /// <summary>Letters, digits, '_', '-' and '.'-separated parts, or a pattern ending in <c>.*</c>, or <c>*</c>.</summary>
    public static bool IsValidPattern(string? pattern) =>
        pattern is { Length: > 0 and <= 200 }
        && (pattern == "*" || (pattern.EndsWith(".*", StringComparison.Ordinal) ? pattern[..^2] : pattern)
            .Split('.').All(part => part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')));
}
