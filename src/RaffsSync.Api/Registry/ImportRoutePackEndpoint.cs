using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Registry;

// The document's shape of what RoutePackImporter reads from the raw body.

/// <summary>A route pack: one provider and its routes, as in a <c>routes/*.json</c> file.</summary>
/// <param name="Provider">The provider, as <c>POST /api/v1/providers</c> takes it; registered, changed or left as it is.</param>
/// <param name="Routes">The routes by route key (letters, digits, '.', '_' and '-'), each as <c>PUT .../routes/{route_key}</c> takes it; a <c>version</c> is not needed. A <c>reconcile</c> may name a route of the same pack.</param>
/// <param name="Notes">For people reading the file; not stored.</param>
public sealed record RoutePack(
    [property: Required] ProviderInput? Provider = null,
    [property: Required] IReadOnlyDictionary<string, RouteTemplate>? Routes = null,
    string? Notes = null) : IExample<JsonNode>
{
    public static JsonNode Example => JsonNode.Parse("""
        {
          "notes": "Kasir's orders API.",
          "provider": {
            "key": "kasir",
            "name": "Kasir",
            "auth_kind": "bearer",
            "base_urls": { "sandbox": "https://sandbox.kasir.example", "production": "https://api.kasir.example" }
          },
          "routes": {
            "orders.push": {
              "kind": "http",
              "request": { "method": "POST", "path": "/v1/orders", "headers": { "Idempotency-Key": "{{idempotency_key}}" } },
              "auth": { "type": "bearer", "token": "{{credentials.token}}" },
              "success": [201],
              "reconcile": { "route_key": "orders.find" }
            },
            "orders.find": {
              "kind": "http",
              "request": { "method": "GET", "path": "/v1/orders", "query": { "reference": "{{payload.reference}}" }, "body": null },
              "auth": { "type": "bearer", "token": "{{credentials.token}}" }
            }
          }
        }
        """)!;
}

public static class ImportRoutePackEndpoint
{
    // Not [WriteAggregate]: a pack spans many streams; RoutePackImporter fetches each for writing.

    /// <summary>Import a route pack</summary>
    /// <remarks>
    /// Registers or changes the pack's provider and defines or revises its routes, in one transaction: everything is validated
    /// first, and any problem writes nothing: 400 <c>validation_failed</c> names every one (<c>provider.key</c>,
    /// <c>routes.orders.push.request.path</c>; a retired provider or route is a <c>conflict</c> detail).
    /// A route whose definition is unchanged keeps its version, so importing the same pack again appends nothing. The answer
    /// says what happened to the provider (<c>registered</c>, <c>changed</c>, <c>unchanged</c>) and to each route
    /// (<c>defined</c>, <c>revised</c>, <c>unchanged</c>) and its version.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [DocumentedBody<RoutePack>(nameof(RoutePack))]
    [ProblemResponses(409)]
    [WolverinePost("/api/v1/route-packs", OperationId = "importRoutePack")]
    public static async Task<Results<Ok<RoutePackImportResult>, ProblemHttpResult>> Post(JsonElement pack, IDocumentSession session,
        HttpContext context, ProviderEgress egress, TimeProvider clock, CancellationToken cancellation)
    {
        var (result, errors) = await RoutePackImporter.ImportAsync(session, pack, context.Options(), clock.GetUtcNow(), cancellation,
            egress.Rules);
        return result is null ? TypedResults.Problem(RegistryProblems.Invalid(errors)) : TypedResults.Ok(result);
    }
}
