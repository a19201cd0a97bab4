using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Api.Registry;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Webhooks;

/// <summary>
/// A PATCH body read member by member, so that a member left out (kept) differs from one sent as null (removed, where that
/// means something): <see cref="Sent"/> names the members present, <see cref="Values"/> holds them.
/// </summary>
public sealed record WebhookEndpointPatch(IReadOnlySet<string> Sent, ChangeWebhookEndpoint Values, IReadOnlyList<FieldError> Errors)
{
    private static readonly string[] Members = ["url", "description", "event_types", "tenant_ids", "enabled", "ordered", "rate_limit"];
    private static readonly string[] NotNullable = ["url", "event_types", "tenant_ids", "enabled", "ordered"];

    public bool Has(string member) => Sent.Contains(member);

    public static WebhookEndpointPatch Parse(JsonElement body, JsonSerializerOptions json)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return new(new HashSet<string>(), new ChangeWebhookEndpoint(), [new FieldError("body", "invalid", "a JSON object")]);
        ChangeWebhookEndpoint values;
        try
        {
            values = body.Deserialize<ChangeWebhookEndpoint>(json) ?? new ChangeWebhookEndpoint();
        }
        catch (JsonException e)
        {
            return new(new HashSet<string>(), new ChangeWebhookEndpoint(), [ApiJson.WrongType(e)]);
        }

        // The API reads member names in any case, as System.Text.Json's web defaults do.
        var present = body.EnumerateObject().ToList();
        var sent = Members.Where(m => present.Any(p => string.Equals(p.Name, m, StringComparison.OrdinalIgnoreCase))).ToHashSet();
        var errors = NotNullable
            .Where(m => present.Any(p => string.Equals(p.Name, m, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Null))
            .Select(m => new FieldError(m, "null", "leave it out to keep it as it is"))
            .ToList();
        return new(sent, values, errors);
    }

    /// <summary>The endpoint's settings with this change applied.</summary>
    public WebhookEndpointSettings Apply(WebhookEndpoint current, IReadOnlySet<string>? boundTo) => new(
        Has("url") ? Values.Url! : current.Url,
        Has("description") ? Values.Description : current.Description,
        Has("event_types") ? [.. Values.EventTypes!.OfType<string>().Distinct(StringComparer.Ordinal)] : current.EventTypes,
        Has("tenant_ids") ? WebhookEndpointRules.Scope(Values.TenantIds, boundTo) : current.TenantIds,
        Has("enabled") ? Values.Enabled!.Value : current.Enabled,
        Has("ordered") ? Values.Ordered!.Value : current.Ordered,
        Has("rate_limit") ? Values.RateLimit : current.RateLimit);
}

public static class ChangeWebhookEndpointEndpoint
{
    public static Guid EndpointId(string id) => WebhookAccess.EndpointStreamId(id);

    public static WebhookEndpointPatch Load(JsonElement body, HttpContext context) => WebhookEndpointPatch.Parse(body, context.Options());

    /// <summary>Whether the caller manages it first (404), then the members sent, the locations named, and a new URL's host (DNS).</summary>
    public static async Task<ProblemDetails> ValidateAsync(string id, WebhookEndpointPatch patch, WebhookEndpoint? endpoint, Caller caller,
        IQuerySession session, WebhookEgress egress, CancellationToken cancellation)
    {
        if (endpoint is null || !WebhookAccess.CanSee(caller, endpoint)) return WebhookAccess.EndpointNotFoundProblem(id);
        if (patch.Errors.Count > 0) return WebhookAccess.Invalid(patch.Errors);

        var input = patch.Values;
        var errors = new List<FieldError>();
        Uri? newUrl = null;
        if (patch.Has("url") && input.Url != endpoint.Url && WebhookEndpointRules.CheckUrl(input.Url, egress.AllowHttp, out newUrl) is { } badUrl)
            errors.Add(badUrl);
        if (patch.Has("description") && WebhookEndpointRules.CheckDescription(input.Description) is { } badDescription) errors.Add(badDescription);
        if (patch.Has("event_types")) errors.AddRange(WebhookEndpointRules.CheckEventTypes(input.EventTypes));
        if (patch.Has("rate_limit") && WebhookEndpointRules.CheckRateLimit(input.RateLimit) is { } badRate) errors.Add(badRate);
        if (errors.Count > 0) return WebhookAccess.Invalid(errors);

        if (patch.Has("tenant_ids"))
        {
            var locations = await WebhookAccess.LocationsAsync(session, caller, endpoint.CustomerId, cancellation) ?? [];
            var tenantErrors = WebhookEndpointRules.CheckTenants(input.TenantIds, locations, endpoint.CustomerId).ToList();
            if (tenantErrors.Count > 0) return WebhookAccess.Invalid(tenantErrors);
        }

        return newUrl is not null && await egress.RefusalAsync(newUrl, cancellation) is { } refused
            ? WebhookAccess.Invalid([refused])
            : WolverineContinue.NoProblems;
    }

    /// <summary>Change a webhook endpoint</summary>
    /// <remarks>
    /// Changes the members sent and answers the endpoint as it now is; what is left out stays as it is, `description` and
    /// `rate_limit` sent as null are removed, and sending what is already there changes nothing. A new `url` is checked as at
    /// creation (https, and a host that resolves only to public addresses). `enabled: true` starts deliveries again, also to
    /// an endpoint RaffsSync disabled (its `disabled_reason` is cleared). One of another customer, one the caller does not
    /// manage, and a deleted one are 404 `webhook_endpoint_not_found`; a change racing another is 409 `version_conflict`.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [DocumentedBody<ChangeWebhookEndpoint>(nameof(ChangeWebhookEndpoint))]
    [ProblemResponses(409)]
    [WolverinePatch(WebhookAccess.Endpoint, OperationId = "changeWebhookEndpoint")]
    public static (Ok<WebhookEndpointView>, Events) Patch(string id, JsonElement body, WebhookEndpointPatch patch,
        [WriteAggregate(FromMethod = nameof(EndpointId), Required = false)] WebhookEndpoint endpoint, Caller caller, TimeProvider clock)
    {
        var events = WebhookEndpointRules.Change(endpoint, patch.Apply(endpoint, caller.BoundTo()), clock.GetUtcNow());
        var changed = events.OfType<WebhookEndpointChanged>().Aggregate(endpoint, (current, e) => current.Apply(e));
        return (TypedResults.Ok(WebhookEndpointView.From(changed)), new Events(events));
    }
}
