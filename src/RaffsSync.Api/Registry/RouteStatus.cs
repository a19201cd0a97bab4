using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

// Disabling, enabling and retiring a route: one event on its stream, or none when it is already so.
public static class RouteStatusEndpoints
{
    public static Guid RouteId(string provider, string routeKey) => RegistryIds.Route(provider, routeKey);

    public static ProblemDetails Validate(string provider, string routeKey, Route? route) =>
        route is null ? RegistryProblems.RouteNotFound(provider, routeKey) : WolverineContinue.NoProblems;

    /// <summary>Disable a route</summary>
    /// <remarks>
    /// New dispatches to it are 422 <c>route_disabled</c> until it is enabled again; its definition and versions stay.
    /// Disabling a disabled route changes nothing. A retired route is 409 <c>conflict</c>.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [ProblemResponses(409)]
    [WolverinePost(RouteEndpoints.RoutePath + "/disable", OperationId = "disableRoute")]
    public static (Results<Ok<RouteView>, ProblemHttpResult>, Events) Disable(
        [WriteAggregate(FromMethod = nameof(RouteId), Required = false)] Route route, HttpContext context, TimeProvider clock) =>
        RouteDecisions.SetEnabled(route, enabled: false, clock.GetUtcNow())
            .Respond(events => TypedResults.Ok(RouteView.From(RouteEndpoints.Written(route, events, context))));

    /// <summary>Enable a route</summary>
    /// <remarks>A disabled route takes dispatches again. Enabling an enabled route changes nothing. A retired route is 409 <c>conflict</c>.</remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [ProblemResponses(409)]
    [WolverinePost(RouteEndpoints.RoutePath + "/enable", OperationId = "enableRoute")]
    public static (Results<Ok<RouteView>, ProblemHttpResult>, Events) Enable(
        [WriteAggregate(FromMethod = nameof(RouteId), Required = false)] Route route, HttpContext context, TimeProvider clock) =>
        RouteDecisions.SetEnabled(route, enabled: true, clock.GetUtcNow())
            .Respond(events => TypedResults.Ok(RouteView.From(RouteEndpoints.Written(route, events, context))));

    /// <summary>Retire a route</summary>
    /// <remarks>
    /// For good: new dispatches to it are 422 <c>route_retired</c> and it can be neither revised nor enabled; its history and
    /// the dispatches pinned to its versions stay. Retiring a retired route changes nothing.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [ProblemResponses(409)]
    [WolverinePost(RouteEndpoints.RoutePath + "/retire", OperationId = "retireRoute")]
    public static (Results<Ok<RouteView>, ProblemHttpResult>, Events) Retire(
        [WriteAggregate(FromMethod = nameof(RouteId), Required = false)] Route route, HttpContext context, TimeProvider clock) =>
        RouteDecisions.Retire(route, clock.GetUtcNow())
            .Respond(events => TypedResults.Ok(RouteView.From(RouteEndpoints.Written(route, events, context))));
}
