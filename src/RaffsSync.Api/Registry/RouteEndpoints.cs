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
/// Routes are versioned templates. Each write is an event on the route's stream with its author
/// (the caller's key) and request id; dispatches pin the version current when they were accepted.
/// </summary>
public static class RouteEndpoints
{
    private const string RoutePath = "/api/v1/providers/{provider}/routes/{routeKey}";

    /// <summary>Lists a provider's routes, in pages.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet("/api/v1/providers/{provider}/routes")]
    public static async Task<IResult> List(string provider, IQuerySession session, HttpContext context, CancellationToken cancellation)
    {
        if (!Caller.From(context.User).CanSeeProvider(provider) || await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation) is null)
            return ProviderNotFound(provider);

        var page = PageRequest.From(context.Request);
        var (routes, total) = await session.Query<Route>().Where(r => r.Provider == provider).OrderBy(r => r.RouteKey).PageAsync(page, cancellation);
        return Results.Ok(page.Envelope(routes.Select(RouteView.From).ToList(), total, context.Request));
    }

    /// <summary>A route: its current version, status and definition.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(RoutePath)]
    public static async Task<IResult> Get(string provider, string routeKey, IQuerySession session, HttpContext context,
        CancellationToken cancellation) =>
        Caller.From(context.User).CanSeeProvider(provider) && await Find(session, provider, routeKey, cancellation) is { } route
            ? Results.Ok(RouteView.From(route))
            : RouteNotFound(provider, routeKey);

    /// <summary>A route's history: every version with who wrote it, when, and from which request.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(RoutePath + "/versions")]
    public static async Task<IResult> Versions(string provider, string routeKey, IQuerySession session, HttpContext context,
        CancellationToken cancellation)
    {
        if (!Caller.From(context.User).CanSeeProvider(provider) || await Find(session, provider, routeKey, cancellation) is not { } route)
            return RouteNotFound(provider, routeKey);

        var page = PageRequest.From(context.Request);
        var versions = route.Versions.Skip(page.Skip).Take(page.PerPage).Select(RouteVersionView.From).ToList();
        return Results.Ok(page.Envelope(versions, route.Versions.Count, context.Request));
    }

    /// <summary>One version of a route.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(RoutePath + "/versions/{version}")]
    public static async Task<IResult> Version(string provider, string routeKey, int version, IQuerySession session, HttpContext context,
        CancellationToken cancellation)
    {
        if (!Caller.From(context.User).CanSeeProvider(provider) || await Find(session, provider, routeKey, cancellation) is not { } route)
            return RouteNotFound(provider, routeKey);
        return version >= 1 && version <= route.Versions.Count
            ? Results.Ok(RouteVersionView.From(route.Versions[version - 1]))
            : ProblemResults.NotFound("not_found", $"Route '{provider}/{routeKey}' has no version {version}.");
    }

    /// <summary>Defines (201) or revises (200) a route. A stale or missing <c>version</c> is 409 <c>version_conflict</c>.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePut(RoutePath)]
    public static async Task<IResult> Put(string provider, string routeKey, JsonElement body, IDocumentSession session,
        HttpContext context, TimeProvider clock, CancellationToken cancellation)
    {
        var parsed = RouteBody.Parse(body, context.Options(), routeKey);
        var errors = parsed.Errors.ToList();
        if (!RouteValidation.IsValidKey(routeKey)) errors.Insert(0, new FieldError("route_key", "invalid", "letters, digits, '.', '_' and '-'"));
        if (errors.Count > 0) return ProblemResults.Validation(errors);

        switch (await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation))
        {
            case null: return ProviderNotFound(provider);
            case { Retired: true }:
                return ProblemResults.Conflict(new Decision.Conflict("conflict", $"Provider '{provider}' is retired."));
        }

        if (await ReconcileTargetProblem(session, provider, parsed.Definition!, cancellation) is { } reconcileProblem)
            return ProblemResults.Validation([reconcileProblem]);

        var stream = await session.Events.FetchForWriting<Route>(RegistryIds.Route(provider, routeKey), cancellation);
        var expected = parsed.Version ?? RouteBody.IfMatchVersion(context.Request);
        var decision = RouteDecisions.Put(stream.Aggregate, provider, routeKey, parsed.Definition!, expected, clock.GetUtcNow());
        if (decision is Decision.Conflict conflict) return ProblemResults.Conflict(conflict);

        var events = ((Decision.Append)decision).Events;
        stream.AppendMany(events);
        var written = Project(stream.Aggregate, events, context);
        var view = RouteView.From(written);
        return stream.Aggregate is null
            ? Results.Created(ResourcePath.Of("providers", provider, "routes", routeKey), view)
            : Results.Ok(view);
    }

    /// <summary>Disables a route: it refuses dispatches until enabled.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost(RoutePath + "/disable")]
    public static Task<IResult> Disable(string provider, string routeKey, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken cancellation) =>
        SetEnabled(provider, routeKey, enabled: false, session, context, clock, cancellation);

    /// <summary>Enables a disabled route.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost(RoutePath + "/enable")]
    public static Task<IResult> Enable(string provider, string routeKey, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken cancellation) =>
        SetEnabled(provider, routeKey, enabled: true, session, context, clock, cancellation);

    private static async Task<IResult> SetEnabled(string provider, string routeKey, bool enabled, IDocumentSession session,
        HttpContext context, TimeProvider clock, CancellationToken cancellation)
    {
        var stream = await session.Events.FetchForWriting<Route>(RegistryIds.Route(provider, routeKey), cancellation);
        if (stream.Aggregate is not { } route) return RouteNotFound(provider, routeKey);

        var decision = RouteDecisions.SetEnabled(route, enabled, clock.GetUtcNow());
        if (decision is Decision.Conflict conflict) return ProblemResults.Conflict(conflict);

        var events = ((Decision.Append)decision).Events;
        stream.AppendMany(events);
        return Results.Ok(RouteView.From(Project(route, events, context)));
    }

    /// <summary>Retires a route for good: no new dispatches, no revisions; its history and pinned dispatches stay.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost(RoutePath + "/retire")]
    public static async Task<IResult> Retire(string provider, string routeKey, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken cancellation)
    {
        var stream = await session.Events.FetchForWriting<Route>(RegistryIds.Route(provider, routeKey), cancellation);
        if (stream.Aggregate is not { } route) return RouteNotFound(provider, routeKey);

        var events = RouteDecisions.Retire(route, clock.GetUtcNow()).Events;
        stream.AppendMany(events);
        return Results.Ok(RouteView.From(Project(route, events, context)));
    }

    /// <summary>The route as it will be once these events commit (the inline projection stores the same).</summary>
    private static Route Project(Route? route, IReadOnlyList<object> events, HttpContext context)
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

    private static IResult ProviderNotFound(string provider) =>
        ProblemResults.NotFound("provider_not_found", $"Provider '{provider}' was not found.");

    private static IResult RouteNotFound(string provider, string routeKey) =>
        ProblemResults.NotFound("route_not_found", $"Provider '{provider}' has no route '{routeKey}'.");
}
