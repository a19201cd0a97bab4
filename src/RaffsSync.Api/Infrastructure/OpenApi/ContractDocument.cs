using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RaffsSync.Api.Access;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>The document's own parts: what the API is, how callers authenticate, and one tag per resource.</summary>
public sealed class ContractDocument : IOpenApiDocumentTransformer
{
    private static readonly IReadOnlyDictionary<string, string> Resources = new Dictionary<string, string>
    {
        ["dispatches"] = "Work against a provider: request it, follow it to a final state, replay or cancel it.",
        ["providers"] = "The registry: providers and their versioned routes, stored as data.",
        ["route-packs"] = "A provider and its routes in one file, imported idempotently.",
        ["customers"] = "Customers and their locations (tenants).",
        ["locations"] = "Locations (tenants) and their connections to providers.",
        ["api-keys"] = "API keys: scoped, bounded by their issuer, the secret shown once.",
        ["oauth"] = "OAuth2 client credentials (RFC 6749 section 4.4) and access tokens.",
        ["audit"] = "The immutable, hash-chained audit log: read, export and verify.",
        ["reports"] = "Dispatch counts, outcomes and latency by provider, route, location and day.",
        ["inbound"] = "Events providers push: verified by the provider's signature scheme, deduplicated, and routed by its inbound routes.",
        ["inbound-events"] = "The events providers pushed to a location: how each was routed, and the dispatches it started."
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "RaffsSync API";
        document.Info.Version = "v1";
        document.Info.Contact = new OpenApiContact { Name = "RaffsSync", Url = new Uri("https://raffssync.io") };
        document.Info.Description =
            "One API for work against POS and accounting platforms (TakeApp, iSeller, Grafterr, Accurate, ...). " +
            "A request names a provider and a route for a location; how to perform it is a versioned route in the registry. " +
            "JSON in and out with snake_case names; times are RFC 3339 UTC. Every error is RFC 9457 problem details " +
            "(`application/problem+json`) with `code`, `message`, `details` and `request_id`. v1 only grows: nothing in it is removed or narrowed.";

        // The compatibility test holds every later document to each committed one that carries this mark.
        document.Info.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        document.Info.Extensions["x-frozen"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(
            "v1 may grow, never break: no path, operation, parameter, success response, field or enum value removed, " +
            "no type changed or narrowed, no new required request field; breaking changes go to a new version"));

        // Relative, so the document is the same on every host; the key (rsk_test_/rsk_live_) picks sandbox or production.
        document.Servers =
        [
            new OpenApiServer
            {
                Url = "/",
                Description = "This deployment: sandbox (rsk_test_ keys) and production (rsk_live_ keys) on one host.",
                Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(false)) }
            }
        ];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ContractComponents.ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (`rsk_test_...` or `rsk_live_...`) as `Authorization: Bearer <key>`; `X-Api-Key: <key>` works too. " +
                          "A key acts with the scopes it was created with."
        };
        document.Components.SecuritySchemes[ContractComponents.OAuthScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "An access token from the client credentials grant (RFC 6749 section 4.4), as `Authorization: Bearer <token>`: " +
                          "a JWT signed with HS256, validated as RFC 8725 (RFC8725) advises: the algorithm is pinned, issuer, audience and " +
                          "expiry are checked, and a token whose client was revoked stops at once. There are no refresh tokens: " +
                          "a client asks the token URL again (hence refreshUrl is the same URL).",
            Flows = new OpenApiOAuthFlows
            {
                ClientCredentials = new OpenApiOAuthFlow
                {
                    TokenUrl = new Uri("/api/v1/oauth/token", UriKind.Relative),
                    RefreshUrl = new Uri("/api/v1/oauth/token", UriKind.Relative),
                    Scopes = Scopes.All.ToDictionary(scope => scope, Describe)
                }
            }
        };

        document.Tags = new HashSet<OpenApiTag>(document.Paths.Keys
            .Select(path => path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            .Where(segments => segments is ["api", "v1", _, ..])
            .Select(segments => segments[2]).Distinct().Order()
            .Select(resource => new OpenApiTag { Name = resource, Description = Resources.GetValueOrDefault(resource) }));
        return Task.CompletedTask;
    }

    private static string Describe(string scope) => scope switch
    {
        Scopes.DispatchesWrite => "Request, replay and cancel dispatches.",
        Scopes.DispatchesRead => "Read dispatches, their attempts and events.",
        Scopes.RegistryRead => "Read providers, routes and connections.",
        Scopes.RegistryWrite => "Change providers, routes and connections.",
        Scopes.AuditRead => "Read and export the audit log.",
        Scopes.ReportsRead => "Read dispatch reports.",
        Scopes.WebhooksWrite => "Manage webhook endpoints.",
        Scopes.AccessWrite => "Manage customers, locations, API keys and OAuth clients.",
        _ => scope
    };
}
