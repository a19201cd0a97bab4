using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Inbound;

/// <summary>
/// A provider event id one connection received: the dedupe record. Its id is derived from the connection and the
/// provider's event id, so two pushes of the same event write the same document, and only one of them can insert it.
/// Global (not a location's document): the id alone finds it. <see cref="Version"/> is Marten's numeric revision.
/// </summary>
public sealed record InboundEventKey
{
    public Guid Id { get; init; }
    public Guid ConnectionId { get; init; }
    public string ProviderEventId { get; init; } = "";
    /// <summary>The inbound event that the first push within the window became.</summary>
    public Guid InboundEventId { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public long Version { get; set; }

    public static Guid IdFor(Guid connectionId, string providerEventId) => RegistryIds.NameBased($"inbound:{connectionId:N}:{providerEventId}");
}

/// <summary>What to do with a push, given what its event id's record says.</summary>
public abstract record InboundDedupe
{
    /// <summary>The same event within the window: answer with the event it became, store nothing.</summary>
    public sealed record Duplicate(Guid InboundEventId) : InboundDedupe;

    /// <summary>Store the event; <see cref="Key"/> is the record to write (null without a provider event id).</summary>
    /// <param name="Replaces">The revision of an expired record this one replaces; null when none exists (insert).</param>
    public sealed record Store(InboundEventKey? Key, long? Replaces) : InboundDedupe;

    public static InboundDedupe Decide(InboundEventKey? existing, Guid connectionId, string? providerEventId, Guid inboundEventId,
        DateTimeOffset now, TimeSpan window)
    {
        if (providerEventId is null) return new Store(null, null);
        if (existing is not null && now - existing.ReceivedAt < window) return new Duplicate(existing.InboundEventId);

        var key = new InboundEventKey
        {
            Id = InboundEventKey.IdFor(connectionId, providerEventId),
            ConnectionId = connectionId,
            ProviderEventId = providerEventId,
            InboundEventId = inboundEventId,
            ReceivedAt = now
        };
        return new Store(key, existing?.Version);
    }
}
