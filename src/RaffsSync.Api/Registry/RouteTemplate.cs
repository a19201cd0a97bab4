using System.Text.Json.Nodes;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Registry;

// The document's name for what RouteBody.Parse reads: the members of a RouteDefinition plus the version. RegistrySchemas
// expands this type's schema with RouteDefinition's members, so the document has one schema route authors can validate against.

/// <summary>
/// A route: how to perform one provider operation, as <c>PUT /api/v1/providers/{provider}/routes/{route_key}</c> and
/// route packs take it. Only <c>kind</c>, <c>request.method</c> and <c>request.path</c> are required. Durations are
/// ISO 8601 (<c>PT10S</c>). Templates (<c>{{payload.order_id}}</c>) are plain paths into the dispatch's inputs, never code;
/// only headers and <c>auth</c> may read <c>credentials</c>. Members this schema does not name are ignored.
/// </summary>
/// <param name="Version">The route version you last read: omit it to create the route, send it to revise (or <c>If-Match: "1"</c>).</param>
public sealed record RouteTemplate(int? Version = null) : IExample<JsonNode>
{
    /// <summary>The README's annotated route example, without its comments (a test keeps the two equal).</summary>
    public static JsonNode Example => JsonNode.Parse("""
        {
          "kind": "http",
          "request": {
            "method": "POST",
            "path": "/v1/outlets/{{connection.settings.outlet_id}}/orders",
            "query": { "source": "raffssync" },
            "headers": { "Idempotency-Key": "{{idempotency_key}}" },
            "body": "{ref: payload.reference, lines: payload.items[*].{sku: sku, qty: qty}}"
          },
          "auth": { "type": "bearer", "token": "{{credentials.token}}" },
          "timeout": "PT10S",
          "success": [200, 201],
          "response": { "records": "data", "map": "{id: id, total: total}" },
          "error_rules": [
            { "status": [429], "action": "rate_limited", "max_wait": "PT10M" },
            { "status": [500, 502, 503, 504], "action": "retry" },
            { "status": [401, 403], "action": "fail", "failure_type": "configuration" },
            { "body_contains": "DUPLICATE_ORDER", "action": "ignore" }
          ],
          "backoff": { "strategy": "exponential", "initial": "PT1S", "max_attempts": 5, "budget": "PT10M", "jitter": true },
          "pagination": { "style": "cursor", "param": "cursor", "next": "meta.next_cursor", "max_pages": 100 },
          "rate_limit": { "requests": 10, "per": "PT1S" },
          "version": 1
        }
        """)!;
}
