using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

public static class PutRouteEndpoint
{
    public static Guid ProviderId(string provider) => RegistryIds.Provider(provider);

    public static Guid RouteId(string provider, string routeKey) => RegistryIds.Route(provider, routeKey);

    public static RouteBody Load(string routeKey, JsonElement body, HttpContext context) => RouteBody.Parse(body, context.Options(), routeKey);

    public static async Task<ProblemDetails> ValidateAsync(string provider, string routeKey, RouteBody parsed,
        [ReadAggregate(FromMethod = nameof(ProviderId), Required = false)] Provider? owner, IQuerySession session, CancellationToken cancellation)
    {
        var errors = parsed.Errors.ToList();
        if (!RouteValidation.IsValidKey(routeKey)) errors.Insert(0, new FieldError("route_key", "invalid", "letters, digits, '.', '_' and '-'"));
        if (errors.Count > 0) return RegistryProblems.Invalid(errors);

        if (owner is null) return RegistryProblems.ProviderNotFound(provider);
        if (owner.Retired) return RegistryProblems.Conflict(new Decision.Conflict("conflict", $"Provider '{provider}' is retired."));

        return await RouteEndpoints.ReconcileTargetProblem(session, provider, parsed.Definition!, cancellation) is { } reconcileProblem
            ? RegistryProblems.Invalid([reconcileProblem])
            : WolverineContinue.NoProblems;
    }

    // `version` (or If-Match) is the route's version, which only definitions move; the stream's version also moves on
    // disable/enable, so it is not Wolverine's version source: RouteDecisions.Put checks it, and [WriteAggregate] still
    // refuses (409 version_conflict) a commit racing another write to the stream.

    /// <summary>Define or revise a route</summary>
    /// <remarks>
    /// Without <c>version</c> this defines a new route (201, version 1). To revise one, send the version you last read as
    /// <c>version</c> or <c>If-Match</c>: a new version is written (200) and dispatches already accepted keep the version they
    /// pinned. A stale or missing version is 409 <c>version_conflict</c>; a definition equal to the current one writes nothing.
    /// Every field problem is answered at once (400 <c>validation_failed</c>, one detail per field); a <c>reconcile</c> must name
    /// another route of the provider. An unknown provider is 404 <c>provider_not_found</c>; a retired provider or route is 409 <c>conflict</c>.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [DocumentedBody<RouteTemplate>(nameof(RouteTemplate))]
    [ProblemResponses(409)]
    [WolverinePut(RouteEndpoints.RoutePath, OperationId = "putRoute")]
    public static (Results<Results<Created<RouteView>, Ok<RouteView>>, ProblemHttpResult>, Events) Put(JsonElement body, string provider, string routeKey, RouteBody parsed,
        [WriteAggregate(FromMethod = nameof(RouteId), Required = false)] Route? route,
        [FromHeader(Name = "If-Match")] string? ifMatch, HttpContext context, TimeProvider clock)
    {
        var expected = parsed.Version ?? RouteBody.IfMatchVersion(ifMatch);
        return RouteDecisions.Put(route, provider, routeKey, parsed.Definition!, expected, clock.GetUtcNow()).Respond(events =>
        {
            var view = RouteView.From(RouteEndpoints.Written(route, events, context));
            return route is null
                ? (Results<Created<RouteView>, Ok<RouteView>>)TypedResults.Created(ResourcePath.Of("providers", provider, "routes", routeKey), view)
                : TypedResults.Ok(view);
        });
    }
}
