using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

// Routes are versioned templates. Each write (PutRoute, RouteStatus) is an event on the route's stream with its author (the
// caller's key) and request id; dispatches pin the version current when they were accepted.
public static class RouteEndpoints
{
    public const string RoutePath = "/api/v1/providers/{provider}/routes/{routeKey}";

    /// <summary>List a provider's routes</summary>
    /// <remarks>Each route's current version, status (<c>enabled</c>, <c>disabled</c> or <c>retired</c>) and definition, by route key.</remarks>
    [Authorize(Policy = Scopes.RegistryRead)]
    [QueryString<PageRequest>]
    [WolverineGet("/api/v1/providers/{provider}/routes", OperationId = "listRoutes")]
    public static async Task<Results<Ok<PageEnvelope<RouteView>>, ProblemHttpResult>> List(string provider, IQuerySession session, Caller caller,
        HttpContext context, CancellationToken cancellation)
    {
        if (!caller.CanSeeProvider(provider) || await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation) is null)
            return ProviderNotFound(provider);

        var page = PageRequest.From(context.Request);
        var (routes, total) = await session.Query<Route>().Where(r => r.Provider == provider).OrderBy(r => r.RouteKey).PageAsync(page, cancellation);
        return TypedResults.Ok(page.Envelope(routes.Select(RouteView.From).ToList(), total, context.Request));
    }

    /// <summary>Get a route</summary>
    /// <remarks>Its current version, status and definition. Send the version back when revising it.</remarks>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(RoutePath, OperationId = "getRoute")]
    public static async Task<Results<Ok<RouteView>, ProblemHttpResult>> Get(string provider, string routeKey, IQuerySession session,
        Caller caller, CancellationToken cancellation) =>
        caller.CanSeeProvider(provider) && await Find(session, provider, routeKey, cancellation) is { } route
            ? TypedResults.Ok(RouteView.From(route))
            : RouteNotFound(provider, routeKey);

    /// <summary>List a route's versions</summary>
    /// <remarks>Its history, oldest first: every definition with when it was written (<c>defined_at</c>), by whom (<c>defined_by</c>) and in which request (<c>request_id</c>).</remarks>
    [Authorize(Policy = Scopes.RegistryRead)]
    [QueryString<PageRequest>]
    [WolverineGet(RoutePath + "/versions", OperationId = "listRouteVersions")]
    public static async Task<Results<Ok<PageEnvelope<RouteVersionView>>, ProblemHttpResult>> Versions(string provider, string routeKey,
        IQuerySession session, Caller caller, HttpContext context, CancellationToken cancellation)
    {
        if (!caller.CanSeeProvider(provider) || await Find(session, provider, routeKey, cancellation) is not { } route)
            return RouteNotFound(provider, routeKey);

        var page = PageRequest.From(context.Request);
        var versions = route.Versions.Skip(page.Skip).Take(page.PerPage).Select(RouteVersionView.From).ToList();
        return TypedResults.Ok(page.Envelope(versions, route.Versions.Count, context.Request));
    }

    /// <summary>Get a route version</summary>
    /// <remarks>One definition of the route, as it was written; versions count from 1.</remarks>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(RoutePath + "/versions/{version}", OperationId = "getRouteVersion")]
    public static async Task<Results<Ok<RouteVersionView>, ProblemHttpResult>> Version(string provider, string routeKey, int version,
        IQuerySession session, Caller caller, CancellationToken cancellation)
    {
        if (!caller.CanSeeProvider(provider) || await Find(session, provider, routeKey, cancellation) is not { } route)
            return RouteNotFound(provider, routeKey);
        return version >= 1 && version <= route.Versions.Count
            ? TypedResults.Ok(RouteVersionView.From(route.Versions[version - 1]))
            : TypedResults.Problem(RegistryProblems.VersionNotFound(provider, routeKey, version));
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

    private static ProblemHttpResult ProviderNotFound(string provider) => TypedResults.Problem(RegistryProblems.ProviderNotFound(provider));

    private static ProblemHttpResult RouteNotFound(string provider, string routeKey) =>
        TypedResults.Problem(RegistryProblems.RouteNotFound(provider, routeKey));
}
