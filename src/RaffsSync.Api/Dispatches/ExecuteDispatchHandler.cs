using JasperFx;
using Marten;
using JasperFx.Events;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Registry;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;
using Wolverine;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Dispatches;

/// <summary>
/// Performs one attempt of a dispatch: renders the request from the pinned route version, claims
/// the attempt, calls the provider, and records the answer and what follows (success, failure, a
/// scheduled retry, dead letter). The retry is an outbox message committed with those events.
/// Not Wolverine's aggregate workflow (<c>[WriteAggregate]</c>): that commits once, at the end, and the
/// claim must commit on its own before the provider is called, moving the stream the workflow would
/// then expect unchanged. The stream is read for writing here instead, in the claim's own session.
/// <para>
/// Before the claim the call must fit the provider's limits across all nodes (<see cref="ProviderCallLimits"/>: the
/// route's <c>rate_limit</c>, the per-provider concurrency cap). When it does not, nothing is claimed or sent: the same
/// message (same attempt, same location) comes back after the wait, so the attempt is not counted and the dispatch
/// stays queued until it runs. No event records the wait: a busy provider would add one to each waiting dispatch every
/// second or so, commits and webhook traffic at the moment capacity is short, and the wait changes nothing the dispatch's
/// history has to explain (its attempt still starts when it starts).
/// </para>
/// </summary>
public static class ExecuteDispatchHandler
{
    public static async Task<OutgoingMessages> Handle(
        ExecuteDispatch command,
        IDocumentSession session,
        IDocumentStore store,
        ProviderGateway gateway,
        ProviderRequestBuilder builder,
        TimeProvider clock,
        ProviderCallLimits callLimits,
        ILogger<ExecuteDispatch> logger,
        CancellationToken cancellation)
    {
        // Decided and claimed on one read of the stream: the claim expects the version decided on, so a
        // cancel committed meanwhile (during a token fetch, say) makes it fail and nothing is sent.
        await using var claim = ClaimSession(store, session);
        var stream = await claim.Events.FetchForWriting<Dispatch>(command.DispatchId, cancellation);
        if (stream.Aggregate is not { } dispatch) return [];
        var decidedOn = stream.StartingVersion ?? 0;

        var admission = DispatchExecution.Admit(dispatch, command.Attempt);
        if (admission == Admission.Skip) return [];

        var route = await session.LoadAsync<Route>(RegistryIds.Route(dispatch.Provider, dispatch.RouteKey), cancellation);
        var provider = await session.LoadAsync<Provider>(RegistryIds.Provider(dispatch.Provider), cancellation);
        var definition = route?.AtVersion(dispatch.RouteVersion);
        if (definition is null || provider is null)
            throw new InvalidOperationException($"Route {dispatch.Provider}/{dispatch.RouteKey} v{dispatch.RouteVersion} is missing.");

        if (admission == Admission.RecoverInterrupted)
            return RecordBeforeClaim(session, dispatch, decidedOn, DispatchExecution.RecordInterruption(dispatch, definition, clock.GetUtcNow(), Random.Shared.NextDouble()));

        var connection = dispatch.ConnectionId is { } connectionId
            ? await ConnectionLookup.FindAsync(session, dispatch.TenantId, connectionId, cancellation)
            : null;
        if (dispatch.ConnectionId is not null && connection is not { Active: true })
            return RecordBeforeClaim(session, dispatch, decidedOn, DispatchExecution.RecordFailureBeforeSending(dispatch, FailureType.Configuration,
                "The location's connection to the provider was removed after the dispatch was accepted.", clock.GetUtcNow()));

        RenderedRequests request;
        try
        {
            request = await builder.BuildAsync(session, provider, definition, connection,
                new DispatchInputs(dispatch.Id, dispatch.TenantId, dispatch.Environment, dispatch.Payload, clock.GetUtcNow(),
                    dispatch.IdempotencyKey),
                dryRun: false, cancellation);
        }
        catch (TemplateException e)
        {
            return RecordBeforeClaim(session, dispatch, decidedOn, DispatchExecution.RecordRenderFailure(dispatch, e, clock.GetUtcNow()));
        }
        catch (ProviderAuthException e)
        {
            return RecordBeforeClaim(session, dispatch, decidedOn,
                DispatchExecution.RecordTokenFailure(dispatch, definition, e.Type, e.Message, clock.GetUtcNow(), Random.Shared.NextDouble()));
        }

        var permit = await callLimits.AcquireAsync(dispatch, definition, cancellation);
        if (permit.WaitFor is { } wait)
        {
            logger.LogDebug("Dispatch {DispatchId} attempt {Attempt} waits {Wait} for {Provider}'s limits", dispatch.Id, command.Attempt, wait, dispatch.Provider);
            return [command.WithDeliveryOptions(new DeliveryOptions { ScheduledTime = clock.GetUtcNow() + wait, TenantId = dispatch.TenantId })];
        }

        try
        {
            if (!await ClaimAttemptAsync(claim, stream, command.Attempt, request.Masked, clock, cancellation)) return [];

            if (!PagePlan.IsPaged(definition))
            {
                var result = await gateway.SendAsync(dispatch.Provider, request.ToSend, definition.EffectiveTimeout, cancellation);
                if (DispatchExecution.NeedsReconciliation(definition, result)
                    && await LookUpAsync(session, gateway, builder, callLimits, provider, connection, dispatch, definition, clock, cancellation) is { } lookup)
                {
                    return Record(session, dispatch, DispatchExecution.RecordReconciliation(dispatch, definition, command.Attempt, result,
                        lookup.Route, lookup.Result, clock.GetUtcNow(), Random.Shared.NextDouble()));
                }
                return Record(session, dispatch,
                    DispatchExecution.RecordOutcome(dispatch, definition, command.Attempt, result, clock.GetUtcNow(), Random.Shared.NextDouble()));
            }

            return Record(session, dispatch, await FetchPagesAsync(gateway, callLimits, dispatch, definition, command.Attempt, request, clock, cancellation));
        }
        finally
        {
            await callLimits.ReleaseAsync(permit);
        }
    }

    /// <summary>Calls the route's reconcile (lookup) route, current version, with the dispatch's inputs; null when it cannot be built.</summary>
    private static async Task<(RouteDefinition Route, ProviderCallResult Result)?> LookUpAsync(IDocumentSession session,
        ProviderGateway gateway, ProviderRequestBuilder builder, ProviderCallLimits callLimits, Provider provider, Domain.Connections.Connection? connection,
        Dispatch dispatch, RouteDefinition route, TimeProvider clock, CancellationToken cancellation)
    {
        var lookup = await session.LoadAsync<Route>(RegistryIds.Route(dispatch.Provider, route.Reconcile!.RouteKey), cancellation);
        if (lookup is not { Enabled: true }) return null;
        try
        {
            var request = await builder.BuildAsync(session, provider, lookup.Current, connection,
                new DispatchInputs(dispatch.Id, dispatch.TenantId, dispatch.Environment, dispatch.Payload, clock.GetUtcNow(), dispatch.IdempotencyKey),
                dryRun: false, cancellation);
            await callLimits.WaitForRateAsync(dispatch, route.Reconcile!.RouteKey, lookup.Current, cancellation);
            return (lookup.Current, await gateway.SendAsync(dispatch.Provider, request.ToSend, lookup.Current.EffectiveTimeout, cancellation));
        }
        catch (Exception e) when (e is TemplateException or ProviderAuthException)
        {
            return null;
        }
    }

    /// <summary>A pull route: page after page within the route's limits; a failing page decides the attempt like any answer.</summary>
    private static async Task<ExecutionRecord> FetchPagesAsync(ProviderGateway gateway, ProviderCallLimits callLimits, Dispatch dispatch, RouteDefinition route,
        int attempt, RenderedRequests unpaged, TimeProvider clock, CancellationToken cancellation)
    {
        var pages = new List<object>();
        var records = 0;
        var request = PagePlan.First(route, unpaged);
        for (var page = 1; ; page++)
        {
            // The first page's permit was taken before the claim.
            if (page > 1) await callLimits.WaitForRateAsync(dispatch, dispatch.RouteKey, route, cancellation);
            var result = await gateway.SendAsync(dispatch.Provider, request.ToSend, route.EffectiveTimeout, cancellation);
            if (result is not ProviderCallResult.Responded answer || DispatchOutcome.Classify(route, answer) is not DispatchOutcome.Succeeded)
                return DispatchExecution.RecordOutcome(dispatch, route, attempt, result, clock.GetUtcNow(), Random.Shared.NextDouble(), page, pages);

            var onPage = PagePlan.CountRecords(route, answer.Body);
            records += onPage;
            pages.Add(DispatchExecution.PageAnswer(dispatch, attempt, page, answer, clock.GetUtcNow()));

            if (PagePlan.Next(route, unpaged, page, records, onPage, answer) is not { } next)
                return DispatchExecution.RecordPagedSuccess(dispatch, attempt, pages, records, clock.GetUtcNow());
            request = next;
        }
    }

    /// <summary>A session of its own for the claim, which commits before the call, apart from the handler's transaction.</summary>
    private static IDocumentSession ClaimSession(IDocumentStore store, IDocumentSession session)
    {
        var claim = store.LightweightSession(session.TenantId);
        claim.CorrelationId = session.CorrelationId;
        claim.CausationId = session.CausationId;
        claim.LastModifiedBy = session.LastModifiedBy;
        return claim;
    }

    /// <summary>
    /// Commits <see cref="DispatchAttemptStarted"/> on its own, before the call, at the version the
    /// decision was made on: of two executors racing for one attempt only one calls the provider, a
    /// cancel that came in since the decision wins, and an attempt cut short by a crash is known to have
    /// been made. Whatever moved the stream sends its own message if work is left (a replay, a requeue).
    /// </summary>
    private static async Task<bool> ClaimAttemptAsync(IDocumentSession claim, IEventStream<Dispatch> stream, int attempt,
        RenderedRequest masked, TimeProvider clock, CancellationToken cancellation)
    {
        stream.AppendOne(new DispatchAttemptStarted(stream.Id, attempt, masked, clock.GetUtcNow()));
        try
        {
            await claim.SaveChangesAsync(cancellation);
            return true;
        }
        catch (ConcurrencyException)
        {
            return false;
        }
    }

    /// <summary>
    /// Nothing was sent: the record goes in at the version decided on, so a cancel that came in
    /// meanwhile fails the commit and the message's retry finds the dispatch finished.
    /// </summary>
    private static OutgoingMessages RecordBeforeClaim(IDocumentSession session, Dispatch dispatch, long decidedOn, ExecutionRecord record)
    {
        session.Events.Append(dispatch.Id, decidedOn + record.Events.Count, record.Events.ToArray());
        return Messages(dispatch, record);
    }

    /// <summary>After the claim: appends the record's events; a retry goes out as a scheduled message in the same transaction.</summary>
    private static OutgoingMessages Record(IDocumentSession session, Dispatch dispatch, ExecutionRecord record)
    {
        session.Events.Append(dispatch.Id, record.Events);
        return Messages(dispatch, record);
    }

    private static OutgoingMessages Messages(Dispatch dispatch, ExecutionRecord record)
    {
        var messages = new OutgoingMessages();
        if (record.RetryAt is { } at)
            messages.Add(new ExecuteDispatch(dispatch.Id, record.NextAttempt)
                .WithDeliveryOptions(new DeliveryOptions { ScheduledTime = at, TenantId = dispatch.TenantId }));
        return messages;
    }
}
