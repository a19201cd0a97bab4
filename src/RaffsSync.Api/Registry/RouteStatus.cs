using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

/// <summary>Disabling, enabling and retiring a route: one event on its stream, or none when it is already so.</summary>
public static class RouteStatusEndpoints
{
    public static Guid RouteId(string provider, string routeKey) => RegistryIds.Route(provider, routeKey);

    public static ProblemDetails Validate(string provider, string routeKey, Route? route) =>
        route is null ? RegistryProblems.RouteNotFound(provider, routeKey) : WolverineContinue.NoProblems;

    /// <summary>Disables a route: it refuses dispatches until enabled.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost(RouteEndpoints.RoutePath + "/disable")]
    public static (IResult, Events) Disable([WriteAggregate(FromMethod = nameof(RouteId), Required = false)] Route route,
        HttpContext context, TimeProvider clock) =>
        RouteDecisions.SetEnabled(route, enabled: false, clock.GetUtcNow())
            .Respond(events => TypedResults.Ok(RouteView.From(RouteEndpoints.Written(route, events, context))));

    /// <summary>Enables a disabled route.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost(RouteEndpoints.RoutePath + "/enable")]
    public static (IResult, Events) Enable([WriteAggregate(FromMethod = nameof(RouteId), Required = false)] Route route,
        HttpContext context, TimeProvider clock) =>
        RouteDecisions.SetEnabled(route, enabled: true, clock.GetUtcNow())
            .Respond(events => TypedResults.Ok(RouteView.From(RouteEndpoints.Written(route, events, context))));

    /// <summary>Retires a route for good: no new dispatches, no revisions; its history and pinned dispatches stay.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost(RouteEndpoints.RoutePath + "/retire")]
    public static (IResult, Events) Retire([WriteAggregate(FromMethod = nameof(RouteId), Required = false)] Route route,
        HttpContext context, TimeProvider clock) =>
        RouteDecisions.Retire(route, clock.GetUtcNow())
            .Respond(events => TypedResults.Ok(RouteView.From(RouteEndpoints.Written(route, events, context))));
}
