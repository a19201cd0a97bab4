namespace RaffsSync.Domain.Audit;

/// <summary>
/// One line of the audit log: one event of any stream, as customers and auditors read it.
/// <see cref="Data"/> is the event with secrets redacted, as canonical JSON text (sorted keys):
/// the exact text the hash chain covers. <see cref="Channel"/> names where a person acted from
/// (<c>console</c>) when that was not the API itself; null otherwise.
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset OccurredAt,
    string Scope,
    string? TenantId,
    string? CustomerId,
    string StreamId,
    string EventType,
    string? Actor,
    string? CallerClass,
    string? RequestId,
    string? CausationId,
    string Summary,
    string Data,
    string? Channel = null);

/// <summary>Who may read an entry: the location's owner, the customer's callers, every reader (registry), or internal callers only.</summary>
public static class AuditScopes
{
    public const string Location = "location";
    public const string Customer = "customer";
    public const string Registry = "registry";
    public const string Internal = "internal";
}

/// <summary>
/// Keeps one event from stopping the audit log: an indexed value longer than <see cref="MaxIndexedLength"/>
/// (PostgreSQL refuses index rows over about 2,700 bytes) is stored as its first characters and the SHA-256
/// of the whole, so the entry is still written, still chained and still findable by its hash.
/// </summary>
public static class AuditBounds
{
    public const int MaxIndexedLength = 512;
    private const int KeptPrefix = 200;

    public static string? Indexable(string? value) =>
        value is null || value.Length <= MaxIndexedLength
            ? value
            : $"{value[..KeptPrefix]}...(truncated, {value.Length} chars, sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))})";

    /// <summary>The entry with every indexed value bounded, and whether anything had to be cut.</summary>
    public static (AuditEntry Entry, bool Truncated) Bound(AuditEntry entry)
    {
        var bounded = entry with
        {
            TenantId = Indexable(entry.TenantId), CustomerId = Indexable(entry.CustomerId), StreamId = Indexable(entry.StreamId)!,
            EventType = Indexable(entry.EventType)!, Actor = Indexable(entry.Actor), RequestId = Indexable(entry.RequestId),
            CausationId = Indexable(entry.CausationId)
        };
        return (bounded, bounded != entry);
    }
}
