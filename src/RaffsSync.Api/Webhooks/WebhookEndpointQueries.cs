using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;
using Wolverine.Http;

namespace RaffsSync.Api.Webhooks;

/// <summary><c>GET /api/v1/webhooks/endpoints</c>: pages, and for internal callers a customer.</summary>
public sealed record WebhookEndpointListQuery : IQueryContract
{
    public static IReadOnlyList<QueryParameter> Parameters { get; } =
    [
        .. PageRequest.Parameters,
        new("customer_id", "Only this customer's endpoints (internal callers; a customer's credentials see their own only).",
            MaxLength: Domain.IdentifierLimits.Id)
    ];
}

public static class WebhookEndpointQueries
{
    /// <summary>List webhook endpoints</summary>
    /// <remarks>
    /// The endpoints the caller manages, oldest first, without their secrets: a customer's credentials see their customer's
    /// (one limited to some locations: the endpoints limited to those), internal callers every customer's, or one customer's
    /// with `customer_id`. Deleted endpoints are not listed. An unknown query parameter is 400 `validation_failed`.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [QueryString<WebhookEndpointListQuery>]
    [WolverineGet(WebhookAccess.Endpoints, OperationId = "listWebhookEndpoints")]
    public static async Task<Results<Ok<PageEnvelope<WebhookEndpointView>>, ProblemHttpResult>> List(IQuerySession session, Caller caller,
        HttpContext context, CancellationToken cancellation)
    {
        var unknown = WebhookEndpointListQuery.Parameters.UnknownIn(context.Request.Query)
            .Select(key => new ProblemDetail(key, "unknown_parameter", "page, per_page, customer_id")).ToArray();
        if (unknown.Length > 0) return TypedResults.Problem(ApiProblems.Validation(unknown));

        var page = PageRequest.From(context.Request);
        var named = context.Request.Query["customer_id"].ToString();
        if (named.Length > Domain.IdentifierLimits.Id)
            return TypedResults.Problem(ApiProblems.Validation(new ProblemDetail("customer_id", "too_long", $"at most {Domain.IdentifierLimits.Id} characters")));
        if (caller.Class != CallerClass.Internal && caller.CustomerId is null)
            return TypedResults.Ok(page.Envelope(Array.Empty<WebhookEndpointView>(), 0, context.Request));

        IQueryable<WebhookEndpoint> query = session.Query<WebhookEndpoint>().Where(e => !e.Deleted);
        // A customer's credentials see their own customer's, whatever customer_id says (another one: nothing).
        var own = caller.CustomerId;
        if (caller.Class != CallerClass.Internal) query = query.Where(e => e.CustomerId == own);
        if (named.Length > 0) query = query.Where(e => e.CustomerId == named);
        query = query.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id);

        IReadOnlyList<WebhookEndpoint> endpoints;
        long total;
        if (caller.BoundTo() is null)
        {
            (endpoints, total) = await query.PageAsync(page, cancellation);
        }
        else
        {
            // A customer has a handful of endpoints: which of them a credential limited to some locations manages is decided in memory.
            var managed = (await query.ToListAsync(cancellation)).Where(e => WebhookAccess.CanSee(caller, e)).ToList();
            (endpoints, total) = (managed.Skip(page.Skip).Take(page.PerPage).ToList(), managed.Count);
        }
        return TypedResults.Ok(page.Envelope(endpoints.Select(WebhookEndpointView.From).ToList(), total, context.Request));
    }

    /// <summary>Get a webhook endpoint</summary>
    /// <remarks>
    /// The endpoint, without its secret (`secret_fingerprint` tells secrets apart). One of another customer, one the caller
    /// does not manage, and a deleted one are 404 `webhook_endpoint_not_found`.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [WolverineGet(WebhookAccess.Endpoint, OperationId = "getWebhookEndpoint")]
    public static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Get(string id, IQuerySession session, Caller caller,
        CancellationToken cancellation) =>
        await WebhookAccess.FindEndpointAsync(session, id, caller, cancellation) is { } endpoint
            ? TypedResults.Ok(WebhookEndpointView.From(endpoint))
            : TypedResults.Problem(WebhookAccess.EndpointNotFoundProblem(id));
}
