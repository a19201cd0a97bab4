namespace RaffsSync.Domain.Inbound;

public interface IInboundEvent
{
    Guid InboundEventId { get; }
}

/// <summary>
/// A provider pushed an event to a location's connection and its signature verified. The body is kept up to 64 KB;
/// <see cref="BodySha256"/> covers the whole of it.
/// </summary>
public sealed record InboundEventReceived(
    Guid InboundEventId,
    string TenantId,
    string Provider,
    Guid ConnectionId,
    ProviderEnvironment Environment,
    string EventType,
    string? ProviderEventId,
    string Body,
    bool BodyTruncated,
    string BodySha256,
    DateTimeOffset ReceivedAt) : IInboundEvent;

/// <summary>
/// One inbound route handled the event: <c>forward</c> (sent to the location's webhook endpoints as <see cref="ForwardedAs"/>)
/// or <c>chain</c> (the dispatch <see cref="DispatchId"/> to another provider's route).
/// </summary>
public sealed record InboundEventRouted(
    Guid InboundEventId,
    string RouteKey,
    int RouteVersion,
    string Kind,
    string? ForwardedAs,
    Guid? DispatchId,
    DateTimeOffset RoutedAt) : IInboundEvent;

/// <summary>No route took the event (none for its type, or the one there is could not run): why.</summary>
public sealed record InboundEventUnrouted(Guid InboundEventId, string Reason, DateTimeOffset At) : IInboundEvent;

public sealed record InboundEvent
{
    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public string Provider { get; init; } = "";
    public Guid ConnectionId { get; init; }
    public ProviderEnvironment Environment { get; init; }
    public string EventType { get; init; } = "";
    public string? ProviderEventId { get; init; }
    public string Body { get; init; } = "";
    public bool BodyTruncated { get; init; }
    public string BodySha256 { get; init; } = "";
    /// <summary><c>received</c>, then <c>routed</c> or <c>unrouted</c>.</summary>
    public string Status { get; init; } = "received";
    public IReadOnlyList<InboundEventRouted> Routes { get; init; } = [];
    public string? UnroutedReason { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static InboundEvent Start(InboundEventReceived e) => new()
    {
        Id = e.InboundEventId,
        TenantId = e.TenantId,
        Provider = e.Provider,
        ConnectionId = e.ConnectionId,
        Environment = e.Environment,
        EventType = e.EventType,
        ProviderEventId = e.ProviderEventId,
        Body = e.Body,
        BodyTruncated = e.BodyTruncated,
        BodySha256 = e.BodySha256,
        ReceivedAt = e.ReceivedAt,
        UpdatedAt = e.ReceivedAt
    };

    public InboundEvent After(IInboundEvent @event) => @event switch
    {
        InboundEventReceived e => Start(e),
        InboundEventRouted e => this with { Status = "routed", Routes = [.. Routes, e], UpdatedAt = e.RoutedAt },
        InboundEventUnrouted e => this with { Status = Routes.Count > 0 ? Status : "unrouted", UnroutedReason = e.Reason, UpdatedAt = e.At },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "An inbound event with no handling.")
    };

    public static InboundEvent? Next(InboundEvent? current, IInboundEvent @event) =>
        current is null ? (@event as InboundEventReceived is { } received ? Start(received) : null) : current.After(@event);
}
