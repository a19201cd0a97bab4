using RaffsSync.Domain;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Api.Dispatches;

/// <summary>A dispatch: what was asked, where it stands, and how it ended.</summary>
/// <param name="Id">The dispatch's id.</param>
/// <param name="TenantId">The location the work is for.</param>
/// <param name="Provider">The provider's key.</param>
/// <param name="RouteKey">The route that runs.</param>
/// <param name="RouteVersion">The route version the dispatch is pinned to (a replay with <c>current</c> moves it).</param>
/// <param name="Environment"><c>sandbox</c> or <c>production</c>, from the credential that requested it.</param>
/// <param name="Status">One of <c>accepted</c>, <c>in_progress</c>, <c>retry_scheduled</c> (waiting between attempts), and the final <c>succeeded</c>, <c>failed</c>, <c>dead_lettered</c> (attempts used up), <c>outcome_unknown</c> (a write timed out: the provider may or may not have done it) and <c>cancelled</c>.</param>
/// <param name="Attempts">Provider calls made so far.</param>
/// <param name="LastProviderStatus">The HTTP status of the provider's last answer, if any.</param>
/// <param name="Pages">For pulling routes: the pages read.</param>
/// <param name="Records">For pulling routes: the records read.</param>
/// <param name="FailureType">Why it did not succeed: <c>rejected</c> (the provider refused the request), <c>configuration</c> (credentials or settings are wrong), <c>provider</c> (the provider failed or could not be reached) or <c>render</c> (the request could not be built from the route and payload).</param>
/// <param name="FailureReason">A human explanation of the failure.</param>
/// <param name="CreatedAt">When it was requested.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="CompletedAt">When it reached a final status.</param>
/// <param name="CausedByInboundEvent">The inbound event a chain route turned into this dispatch (<c>GET /api/v1/inbound-events/{id}</c>); null for a dispatch that was requested.</param>
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
    DateTimeOffset? CompletedAt,
    Guid? CausedByInboundEvent = null)
{
    public static DispatchView From(Dispatch d) => new(
        d.Id, d.TenantId, d.Provider, d.RouteKey, d.RouteVersion,
        EnumNames.Snake(d.Environment), EnumNames.Snake(d.Status), d.Attempts, d.LastProviderStatus, d.Pages, d.Records,
        d.FailureType is null ? null : EnumNames.Snake(d.FailureType.Value), d.FailureReason,
        d.CreatedAt, d.UpdatedAt, d.CompletedAt, d.CausedByInboundEvent);

}
