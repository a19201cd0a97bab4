using RaffsSync.Api.Registry;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Dispatches;

/// <summary>Work to do against a provider for a location.</summary>
/// <param name="TenantId">The location (tenant) the work is for. A JSON number is read as its digits.</param>
/// <param name="Provider">The provider's key, such as <c>takeapp</c>.</param>
/// <param name="RouteKey">The provider's route to run, such as <c>orders.push</c>.</param>
/// <param name="Payload">The route's input, any JSON value its templates read; send <c>{}</c> when the route needs none. Strings up to 1,000,000 characters, objects up to 1,000 properties, arrays up to 100,000 items.</param>
public sealed record RequestDispatch(
    [property: Required, MaxLength(IdentifierLimits.Id), JsonConverter(typeof(StringOrNumberConverter))] string? TenantId,
    [property: Required, MaxLength(IdentifierLimits.Key)] string? Provider,
    [property: Required, MaxLength(IdentifierLimits.Key)] string? RouteKey,
    [property: Required] JsonElement Payload) : IExample<RequestDispatch>
{
    public static RequestDispatch Example { get; } =
        new("29", "takeapp", "orders.push", JsonDocument.Parse("""{"order_id": "A-1001", "total": 125000}""").RootElement);
}

/// <summary>
/// Make attempt <paramref name="Attempt"/> of a dispatch; the tenant rides on the envelope. A
/// message for any other attempt than the next one is stale and does nothing.
/// </summary>
public sealed record ExecuteDispatch(Guid DispatchId, int Attempt = 1);

/// <summary>The dispatch was recorded and will run; poll <c>location</c> (also the <c>Location</c> header) for its progress.</summary>
/// <param name="Id">The dispatch's id.</param>
/// <param name="Status">Always <c>accepted</c>.</param>
/// <param name="RouteVersion">The route version the dispatch is pinned to: later route changes do not affect it.</param>
/// <param name="Location">Where the dispatch is read.</param>
public sealed record DispatchAccepted(Guid Id, string Status, int RouteVersion, string Location) : IHttpAware
{
    public void Apply(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers.Location = Location;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status202Accepted, typeof(DispatchAccepted), ["application/json"]));
}

/// <summary>What a dispatch resolves to: the route, its provider, and the location's connection to it (if any).</summary>
public sealed record DispatchTarget(Route Route, Provider Provider, Connection? Connection);

public static class RequestDispatchEndpoint
{
    /// <summary>Route, provider and connection in one round trip: accepting is the hot path.</summary>
    public static async Task<DispatchTarget?> LoadAsync(RequestDispatch command, IQuerySession session, Caller caller,
        CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(command.Provider) || string.IsNullOrWhiteSpace(command.RouteKey)) return null;

        var batch = session.CreateBatchQuery();
        var route = batch.Load<Route>(RegistryIds.Route(command.Provider, command.RouteKey));
        var provider = batch.Load<Provider>(RegistryIds.Provider(command.Provider));
        var connection = string.IsNullOrWhiteSpace(command.TenantId)
            ? Task.FromResult<Connection?>(null)
            : ConnectionLookup.FindActive(batch, command.TenantId, command.Provider, caller.Environment);
        await batch.Execute(cancellation);

        return await route is { } found && await provider is { } owner
            ? new DispatchTarget(found, owner, await connection)
            : null;
    }

    public static ProblemDetails Validate(RequestDispatch command, DispatchTarget? target, HttpRequest request, Caller caller)
    {
        var problems = new List<ProblemDetail>();
        if (string.IsNullOrWhiteSpace(command.TenantId)) problems.Add(new("tenant_id", "required"));
        if (string.IsNullOrWhiteSpace(command.Provider)) problems.Add(new("provider", "required"));
        if (string.IsNullOrWhiteSpace(command.RouteKey)) problems.Add(new("route_key", "required"));
        // Absent is Undefined, JSON null is Null: either way there is no payload.
        if (command.Payload.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            problems.Add(new("payload", "required", "send {} when the route needs no input"));
        else if (PayloadBounds.Check(command.Payload) is { } breach)
            problems.Add(new(breach.Field, breach.Issue, breach.Hint));
        if (request.Headers["Idempotency-Key"].ToString() is { Length: > 255 })
            problems.Add(new("Idempotency-Key", "too_long", "at most 255 characters"));
        if (problems.Count > 0) return ApiProblems.Validation([.. problems]);

        if (!caller.CanAccess(command.TenantId!))
            return ApiProblems.Create(404, "not_found", $"Location '{command.TenantId}' was not found.");
        if (!caller.CanSeeProvider(command.Provider!)) return RegistryProblems.ProviderNotFound(command.Provider!);

        if (target is null)
            return ApiProblems.Create(404, "route_not_found",
                $"Provider '{command.Provider}' has no route '{command.RouteKey}'.",
                new ProblemDetail("route_key", "unknown"));

        if (target.Provider.Retired)
            return ApiProblems.Create(422, "provider_retired", $"Provider '{command.Provider}' is retired.");

        if (target.Route.Retired)
            return ApiProblems.Create(422, "route_retired", $"Route '{command.Provider}/{command.RouteKey}' is retired.");

        if (!target.Route.Enabled)
            return ApiProblems.Create(422, "route_disabled", $"Route '{command.Provider}/{command.RouteKey}' is disabled.");

        if (target.Route.Current.IsInbound) return RegistryProblems.RouteInboundOnly(command.Provider!, command.RouteKey!);

        if (target.Provider.NeedsConnection && target.Connection is null)
            return ApiProblems.Create(422, "connection_missing",
                $"Location '{command.TenantId}' has no active {caller.Environment.ToString().ToLowerInvariant()} connection to '{command.Provider}'.",
                new ProblemDetail("provider", "connection_missing", $"POST /api/v1/locations/{command.TenantId}/connections"));

        return WolverineContinue.NoProblems;
    }

    /// <summary>Request a dispatch</summary>
    /// <remarks>
    /// Records the work and answers 202 at once; the dispatch then runs against the provider, with retries as the
    /// route's rules say. Poll the <c>Location</c> until its status is final (<c>succeeded</c>, <c>failed</c>,
    /// <c>dead_lettered</c>, <c>outcome_unknown</c> or <c>cancelled</c>). The dispatch is pinned to the route's current
    /// version and the location's active connection for the credential's environment (sandbox or production).
    ///
    /// Send an <c>Idempotency-Key</c> to retry safely: the same request within 24 hours answers the first 202 again.
    /// The location, provider and route must exist and be visible to the caller (404 <c>not_found</c>,
    /// <c>provider_not_found</c>, <c>route_not_found</c>); a retired provider or route, a disabled route, a route that
    /// handles pushed events (<c>route_inbound_only</c>), or a provider that needs a connection the location lacks is 422.
    /// </remarks>
    // DispatchRequested and the ExecuteDispatch message commit in one transaction (the outbox), or neither does.
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches", OperationId = "requestDispatch")]
    [ProblemResponses(404, 409, 422)]
    [DeduplicatedWithResponse(DeduplicationScope.User, Required = false, ClaimInTransaction = true)]
    public static (DispatchAccepted, IStartStream, OutgoingMessages) Post(
        RequestDispatch command, DispatchTarget target, HttpContext context, Caller caller, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var tenantId = command.TenantId!;
        var route = target.Route;
        IdempotencyReplay.MarkExecuted(context);

        var requested = new DispatchRequested(id, tenantId, route.Provider, route.RouteKey, route.CurrentVersion,
            caller.Environment, command.Payload.Clone(), clock.GetUtcNow(), target.Connection?.Id,
            IdempotencyKeyOf(context.Request));

        var start = MartenOps.StartStream<Dispatch>(id, tenantId, requested);
        var execute = new OutgoingMessages { new ExecuteDispatch(id).WithTenantId(tenantId) };

        return (new DispatchAccepted(id, "accepted", route.CurrentVersion, $"/api/v1/dispatches/{id}"), start, execute);
    }

    /// <summary>The caller's Idempotency-Key, carried to the provider where a route's templates ask for it.</summary>
    private static string? IdempotencyKeyOf(HttpRequest request) =>
        request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
}
