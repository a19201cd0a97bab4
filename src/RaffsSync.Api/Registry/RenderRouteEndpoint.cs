using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;
using Wolverine.Http;

namespace RaffsSync.Api.Registry;

public sealed record RenderRoute(
    [property: JsonConverter(typeof(StringOrNumberConverter))] string? TenantId,
    JsonElement? Payload,
    int? Version,
    string? IdempotencyKey);

public sealed record RenderedRouteView(int RouteVersion, string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body);

public static class RenderRouteEndpoint
{
    /// <summary>Dry run: the request a dispatch would send now, credentials masked. Nothing is sent or stored.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverinePost("/api/v1/providers/{provider}/routes/{routeKey}/render")]
    public static async Task<IResult> Post(string provider, string routeKey, RenderRoute input, IQuerySession session,
        Caller caller, ProviderRequestBuilder builder, TimeProvider clock, CancellationToken cancellation)
    {
        var missing = new List<ProblemDetail>();
        if (string.IsNullOrWhiteSpace(input.TenantId)) missing.Add(new("tenant_id", "required"));
        if (input.Payload is null || input.Payload.Value.ValueKind == JsonValueKind.Null) missing.Add(new("payload", "required"));
        else if (PayloadBounds.Check(input.Payload.Value) is { } breach) missing.Add(new(breach.Field, breach.Issue, breach.Hint));
        if (missing.Count > 0) return Results.Problem(ApiProblems.Validation([.. missing]));

        if (!caller.CanAccess(input.TenantId!))
            return ProblemResults.NotFound("not_found", $"Location '{input.TenantId}' was not found.");

        var route = await RouteEndpoints.Find(session, provider, routeKey, cancellation);
        var providerDoc = await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation);
        if (route is null || providerDoc is null || !caller.CanSeeProvider(provider))
            return Results.Problem(RegistryProblems.RouteNotFound(provider, routeKey));

        var version = input.Version ?? route.CurrentVersion;
        if (route.AtVersion(version) is not { } definition)
            return ProblemResults.NotFound("not_found", $"Route '{provider}/{routeKey}' has no version {version}.");

        var connection = await ConnectionLookup.FindActiveAsync(session, input.TenantId!, provider, caller.Environment, cancellation);
        if (providerDoc.NeedsConnection && connection is null)
            return Results.Problem(ApiProblems.Create(422, "connection_missing",
                $"Location '{input.TenantId}' has no active {caller.Environment.ToString().ToLowerInvariant()} connection to '{provider}'."));

        try
        {
            var inputs = new DispatchInputs(Guid.Empty, input.TenantId!, caller.Environment, input.Payload!.Value, clock.GetUtcNow(),
                input.IdempotencyKey);
            var masked = (await builder.BuildAsync(session, providerDoc, definition, connection, inputs, dryRun: true, cancellation)).Masked;
            return Results.Ok(new RenderedRouteView(version, masked.Method, masked.Url, masked.Headers, masked.Body));
        }
        catch (TemplateException e)
        {
            return Results.Problem(ApiProblems.Create(422, "render_failed", $"{e.TemplatePath}: {e.Message}",
                new ProblemDetail(e.TemplatePath, "render_failed", e.Message)));
        }
    }
}
