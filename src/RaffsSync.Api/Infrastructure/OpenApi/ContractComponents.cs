using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.RateLimits;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>The parts of the document every operation refers to: the error schema, the common headers and the security schemes.</summary>
public static class ContractComponents
{
    public const string ProblemSchema = nameof(Problem);
    public const string ApiKeyScheme = "api_key";
    public const string OAuthScheme = "oauth2";
    public const string AllowOrigin = "Access-Control-Allow-Origin";

    public static readonly IReadOnlyList<string> RateLimitHeaders = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"];

    public static readonly IReadOnlyDictionary<int, string> RefusalDescriptions = new Dictionary<int, string>
    {
        [400] = "The request is malformed or has invalid fields (`invalid_json`, `validation_failed`); `details` names each field.",
        [401] = "No credential, or one that is unknown, revoked or expired (`unauthenticated`, `token_expired`).",
        [403] = "The credential lacks the scope or caller class (`insufficient_scope`, `caller_class_forbidden`).",
        [404] = "Not found, or not the caller's to see (`not_found`, `route_not_found`, `provider_not_found`).",
        [406] = "The `Accept` header allows no answer this operation can give (`not_acceptable`): send `application/json` or `*/*`.",
        [409] = "Conflicts with the resource's current state (`conflict`, `version_conflict`).",
        [413] = "The body is larger than 10 MB (`payload_too_large`).",
        [415] = "The body is not `application/json` (`unsupported_media_type`).",
        [422] = "Understood but cannot be done now (`idempotency_key_reused`, `route_disabled`, `route_retired`, `provider_retired`, `connection_missing`, `render_failed`).",
        [429] = "Too many requests for this credential, or from this address without one (`rate_limited`); wait `Retry-After` seconds.",
        [500] = "An unexpected error (`internal_error`); nothing internal is shown. Quote `request_id`.",
        [503] = "PostgreSQL is unreachable (`database_unavailable`); nothing was written. Retry after `Retry-After` seconds."
    };

    public static async Task EnsureAsync(OpenApiDocument document, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (document.Components.Schemas.ContainsKey(ProblemSchema)) return;

        var problem = await context.GetOrCreateSchemaAsync(typeof(Problem), null, cancellation);
        if (problem is OpenApiSchema concrete) concrete.Examples = [JsonNode.Parse("""
            {"type": "https://raffssync.io/errors/route_not_found", "title": "Route not found", "status": 404,
             "code": "route_not_found", "message": "Provider 'sandbox' has no route 'orders.pul'.",
             "details": [{"field": "route_key", "issue": "unknown", "hint": null}],
             "request_id": "0HN8K3Q1V2J5L:00000001", "detail": "Provider 'sandbox' has no route 'orders.pul'.", "instance": "/api/v1/dispatches"}
            """)!];
        document.AddComponent(ProblemSchema, problem);

        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        document.Components.Headers[RequestId.Header] = Header("The request's id: the one sent, or a generated one. Every event the request causes carries it as its correlation id.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200, Pattern = RequestId.Pattern });
        document.Components.Headers[AllowOrigin] = Header($"Sent only to a browser calling from an origin listed in `{CrossOrigin.ConfigurationKey}` (none by default).",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 2048 });
        document.Components.Headers["X-RateLimit-Limit"] = Header("Requests this credential (or, without one, this client address) may make per window.", Integer());
        document.Components.Headers["X-RateLimit-Remaining"] = Header("Requests left in the current window.", Integer());
        document.Components.Headers["X-RateLimit-Reset"] = Header("Seconds until the window frees a request.", Integer());
        document.Components.Headers["Retry-After"] = Header("Seconds to wait before trying again.", Integer());
        document.Components.Headers["Location"] = Header("Where the created or accepted resource is read.",
            new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference", MaxLength = 2048 });

        document.Components.Parameters ??= new Dictionary<string, IOpenApiParameter>();
        document.Components.Parameters[RequestId.Header] = new OpenApiParameter
        {
            Name = RequestId.Header,
            In = ParameterLocation.Header,
            Description = "Your id for this request, echoed in the response and recorded on every event it causes; generated when absent.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200, Pattern = RequestId.Pattern }
        };
        document.Components.Parameters[IdempotencyReplay.KeyHeader] = new OpenApiParameter
        {
            Name = IdempotencyReplay.KeyHeader,
            In = ParameterLocation.Header,
            Description = "Send the same key to repeat a request safely for 24 hours: the same request gets the first answer again " +
                          "(with `Idempotent-Replayed: true`); a different body with the same key is 422 `idempotency_key_reused`.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 }
        };
    }

    private static OpenApiHeader Header(string description, OpenApiSchema schema) => new() { Description = description, Schema = schema };

    private static OpenApiSchema Integer() => new() { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0", Maximum = int.MaxValue.ToString() };
}
