using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;
using Wolverine.Http;

namespace RaffsSync.Api.Registry;

/// <summary>What a dispatch would bring to the route: the location and the payload.</summary>
/// <param name="TenantId">The location (tenant) whose connection to the provider is used; a string or a whole number.</param>
/// <param name="Payload">The dispatch's payload, any JSON value but null.</param>
/// <param name="Version">The route version to render; default the current one.</param>
/// <param name="IdempotencyKey">What <c>{{idempotency_key}}</c> stands for; default the dispatch id, all zeros in a dry run.</param>
public sealed record RenderRoute(
    [property: Required, MaxLength(IdentifierLimits.Id), JsonConverter(typeof(StringOrNumberConverter))] string? TenantId = null,
    [property: Required] JsonElement? Payload = null,
    int? Version = null,
    string? IdempotencyKey = null) : IExample<RenderRoute>
{
    public static RenderRoute Example => new("29", JsonSerializer.SerializeToElement(new { order_id = "ord_123" }));
}

/// <summary>The request a dispatch would send, credentials masked as <c>********</c>.</summary>
/// <param name="RouteVersion">The route version rendered.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Url">The full URL: the provider's base URL for the caller's environment, the path and the query.</param>
/// <param name="Headers">The headers, auth included.</param>
/// <param name="Body">The JSON body, or null for none.</param>
public sealed record RenderedRouteView(int RouteVersion, string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body);

public static class RenderRouteEndpoint
{
    /// <summary>Render a route (dry run)</summary>
    /// <remarks>
    /// The exact request a dispatch with this location and payload would send now: method, URL, headers and body, with the
    /// location's connection settings and credentials filled in and the credentials masked. Nothing is sent or stored and no
    /// OAuth token is fetched. A template that cannot be filled (a missing payload field) is 422 <c>render_failed</c> naming the
    /// field; a location without an active connection to a provider that needs one is 422 <c>connection_missing</c>; a route
    /// version that handles pushed events (kind <c>forward</c> or <c>chain</c>) is 422 <c>route_inbound_only</c>.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryRead)]
    [ProblemResponses(422)]
    [WolverinePost("/api/v1/providers/{provider}/routes/{routeKey}/render", OperationId = "renderRoute")]
    public static async Task<Results<Ok<RenderedRouteView>, ProblemHttpResult>> Post(string provider, string routeKey, RenderRoute input, IQuerySession session,
        Caller caller, ProviderRequestBuilder builder, TimeProvider clock, CancellationToken cancellation)
    {
        var missing = new List<ProblemDetail>();
        if (string.IsNullOrWhiteSpace(input.TenantId)) missing.Add(new("tenant_id", "required"));
        if (input.Payload is null || input.Payload.Value.ValueKind == JsonValueKind.Null) missing.Add(new("payload", "required"));
        else if (PayloadBounds.Check(input.Payload.Value) is { } breach) missing.Add(new(breach.Field, breach.Issue, breach.Hint));
        if (missing.Count > 0) return TypedResults.Problem(ApiProblems.Validation([.. missing]));

        if (!caller.CanAccess(input.TenantId!))
            return TypedResults.Problem(ApiProblems.Create(404, "not_found", $"Location '{input.TenantId}' was not found."));

        var route = await RouteEndpoints.Find(session, provider, routeKey, cancellation);
        var providerDoc = await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation);
        if (route is null || providerDoc is null || !caller.CanSeeProvider(provider))
            return TypedResults.Problem(RegistryProblems.RouteNotFound(provider, routeKey));

        var version = input.Version ?? route.CurrentVersion;
        if (route.AtVersion(version) is not { } definition)
            return TypedResults.Problem(RegistryProblems.VersionNotFound(provider, routeKey, version));
        if (definition.IsInbound) return TypedResults.Problem(RegistryProblems.RouteInboundOnly(provider, routeKey));

        var connection = await ConnectionLookup.FindActiveAsync(session, input.TenantId!, provider, caller.Environment, cancellation);
        if (providerDoc.NeedsConnection && connection is null)
            return TypedResults.Problem(ApiProblems.Create(422, "connection_missing",
                $"Location '{input.TenantId}' has no active {caller.Environment.ToString().ToLowerInvariant()} connection to '{provider}'."));

        try
        {
            var inputs = new DispatchInputs(Guid.Empty, input.TenantId!, caller.Environment, input.Payload!.Value, clock.GetUtcNow(),
                input.IdempotencyKey);
            var masked = (await builder.BuildAsync(session, providerDoc, definition, connection, inputs, dryRun: true, cancellation)).Masked;
            return TypedResults.Ok(new RenderedRouteView(version, masked.Method, masked.Url, masked.Headers, masked.Body));
        }
        catch (TemplateException e)
        {
            return TypedResults.Problem(ApiProblems.Create(422, "render_failed", $"{e.TemplatePath}: {e.Message}",
                new ProblemDetail(e.TemplatePath, "render_failed", e.Message)));
        }
    }
}
