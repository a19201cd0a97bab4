namespace RaffsSync.Domain.Audit;

/// <summary>
/// One line of the audit log: one event of any stream, as customers and auditors read it.
/// <see cref="Data"/> is the event with secrets redacted, as canonical JSON text (sorted keys):
/// the exact text the hash chain covers.
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
    string Data);

/// <summary>Who may read an entry: the location's owner, the customer's callers, every reader (registry), or internal callers only.</summary>
public static class AuditScopes
{
    public const string Location = "location";
    public const string Customer = "customer";
    public const string Registry = "registry";
    public const string Internal = "internal";
}
