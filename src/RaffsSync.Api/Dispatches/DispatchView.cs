using RaffsSync.Domain;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Api.Dispatches;

/// <summary>The public JSON of a dispatch (snake_case through the API's serializer settings).</summary>
public sealed record DispatchView(
    Guid Id,
    string TenantId,
    string Provider,
    string RouteKey,
    int RouteVersion,
    string Environment,
    string Status,
    int Attempts,
    int? LastProviderStatus,
    int? Pages,
    int? Records,
    string? FailureType,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt)
{
    public static DispatchView From(Dispatch d) => new(
        d.Id, d.TenantId, d.Provider, d.RouteKey, d.RouteVersion,
        EnumNames.Snake(d.Environment), EnumNames.Snake(d.Status), d.Attempts, d.LastProviderStatus, d.Pages, d.Records,
        d.FailureType is null ? null : EnumNames.Snake(d.FailureType.Value), d.FailureReason,
        d.CreatedAt, d.UpdatedAt, d.CompletedAt);

}
