using Marten;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Registry;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;
using Wolverine.Marten;

using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Dispatches;

/// <summary>
/// Performs a dispatch: renders the request from the pinned route version, calls the provider,
/// and returns the events that record the attempt and its outcome.
/// </summary>
public static class ExecuteDispatchHandler
{
    public static async Task<Events> Handle(
        ExecuteDispatch command,
        [WriteAggregate] Dispatch dispatch,
        IQuerySession session,
        ProviderGateway gateway,
        ProviderRequestBuilder builder,
        TimeProvider clock,
        CancellationToken cancellation)
    {
        // A redelivered message for a dispatch that already finished does nothing.
        if (dispatch.Status.IsFinal()) return [];

        var route = await session.LoadAsync<Route>(RegistryIds.Route(dispatch.Provider, dispatch.RouteKey), cancellation);
        var provider = await session.LoadAsync<Provider>(RegistryIds.Provider(dispatch.Provider), cancellation);
        var definition = route?.AtVersion(dispatch.RouteVersion);
        if (definition is null || provider is null)
            throw new InvalidOperationException($"Route {dispatch.Provider}/{dispatch.RouteKey} v{dispatch.RouteVersion} is missing.");

        var connection = dispatch.ConnectionId is { } connectionId
            ? await ConnectionLookup.FindAsync(session, dispatch.TenantId, connectionId, cancellation)
            : null;
        if (dispatch.ConnectionId is not null && connection is not { Active: true })
            return [.. DispatchExecution.RecordFailureBeforeSending(dispatch, FailureType.Configuration,
                "The location's connection to the provider was removed after the dispatch was accepted.", clock.GetUtcNow())];

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
            return [.. DispatchExecution.RecordRenderFailure(dispatch, e, clock.GetUtcNow())];
        }
        catch (ProviderAuthException e)
        {
            return [.. DispatchExecution.RecordFailureBeforeSending(dispatch, e.Type, e.Message, clock.GetUtcNow())];
        }

        var startedAt = clock.GetUtcNow();
        var result = await gateway.SendAsync(request.ToSend, definition.EffectiveTimeout, cancellation);
        return [.. DispatchExecution.RecordAttempt(dispatch, definition, request.Masked, result, startedAt, clock.GetUtcNow())];
    }
}
