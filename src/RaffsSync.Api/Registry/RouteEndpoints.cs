using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

/// <summary>
/// Routes are versioned templates. Each write (PutRoute, RouteStatus) is an event on the route's stream with its
/// author (the caller's key) and request id; dispatches pin the version current when they were accepted.
/// </summary>
public static class RouteEndpoints
{
    public const string RoutePath = "/api/v1/providers/{provider}/routes/{routeKey}";

    /// <summary>Lists a provider's routes, in pages.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet("/api/v1/providers/{provider}/routes")]
    public static async Task<IResult> List(string provider, IQuerySession session, Caller caller, HttpContext context, CancellationToken cancellation)
    {
        if (!caller.CanSeeProvider(provider) || await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation) is null)
            return ProviderNotFound(provider);

        var page = PageRequest.From(context.Request);
        var (routes, total) = await session.Query<Route>().Where(r => r.Provider == provider).OrderBy(r => r.RouteKey).PageAsync(page, cancellation);
        return Results.Ok(page.Envelope(routes.Select(RouteView.From).ToList(), total, context.Request));
    }

    /// <summary>A route: its current version, status and definition.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(RoutePath)]
    public static async Task<IResult> Get(string provider, string routeKey, IQuerySession session, Caller caller,
        CancellationToken cancellation) =>
        caller.CanSeeProvider(provider) && await Find(session, provider, routeKey, cancellation) is { } route
            ? Results.Ok(RouteView.From(route))
            : RouteNotFound(provider, routeKey);

    /// <summary>A route's history: every version with who wrote it, when, and from which request.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(RoutePath + "/versions")]
    public static async Task<IResult> Versions(string provider, string routeKey, IQuerySession session, Caller caller, HttpContext context,
        CancellationToken cancellation)
    {
        if (!caller.CanSeeProvider(provider) || await Find(session, provider, routeKey, cancellation) is not { } route)
            return RouteNotFound(provider, routeKey);

        var page = PageRequest.From(context.Request);
        var versions = route.Versions.Skip(page.Skip).Take(page.PerPage).Select(RouteVersionView.From).ToList();
        return Results.Ok(page.Envelope(versions, route.Versions.Count, context.Request));
    }

    /// <summary>One version of a route.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(RoutePath + "/versions/{version}")]
    public static async Task<IResult> Version(string provider, string routeKey, int version, IQuerySession session, Caller caller, HttpContext context,
        CancellationToken cancellation)
    {
        if (!caller.CanSeeProvider(provider) || await Find(session, provider, routeKey, cancellation) is not { } route)
            return RouteNotFound(provider, routeKey);
        return version >= 1 && version <= route.Versions.Count
            ? Results.Ok(RouteVersionView.From(route.Versions[version - 1]))
            : ProblemResults.NotFound("not_found", $"Route '{provider}/{routeKey}' has no version {version}.");
    }

    /// <summary>The route as it will be once these events commit (the inline projection stores the same).</summary>
    public static Route Written(Route? route, IReadOnlyList<object> events, HttpContext context)
    {
        var source = new ChangeSource(context.User.Identity?.Name, context.TraceIdentifier);
        return events.Aggregate(route, (current, e) => Route.Evolve(current, e, source))!;
    }

    /// <summary>A route's <c>reconcile</c> must name a route of the same provider that exists (and is not retired).</summary>
    public static async Task<FieldError?> ReconcileTargetProblem(IQuerySession session, string provider, RouteDefinition definition,
        CancellationToken cancellation, IReadOnlyCollection<string>? definedAlongside = null)
    {
        if (definition.Reconcile?.RouteKey is not { } target || definedAlongside?.Contains(target) == true) return null;
        return await Find(session, provider, target, cancellation) is { Retired: false }
            ? null
            : new FieldError("reconcile.route_key", "unknown", $"provider '{provider}' has no route '{target}' to look the write up with");
    }

    public static Task<Route?> Find(IQuerySession session, string provider, string routeKey, CancellationToken cancellation) =>
        session.LoadAsync<Route>(RegistryIds.Route(provider, routeKey), cancellation);

    private static IResult ProviderNotFound(string provider) => Results.Problem(RegistryProblems.ProviderNotFound(provider));

    private static IResult RouteNotFound(string provider, string routeKey) => Results.Problem(RegistryProblems.RouteNotFound(provider, routeKey));
}
