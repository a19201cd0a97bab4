using RaffsSync.Api.Registry;
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
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Dispatches;

public sealed record RequestDispatch(
    [property: JsonConverter(typeof(StringOrNumberConverter))] string? TenantId,
    string? Provider,
    string? RouteKey,
    JsonElement? Payload);

/// <summary>
/// Make attempt <paramref name="Attempt"/> of a dispatch; the tenant rides on the envelope. A
/// message for any other attempt than the next one is stale and does nothing.
/// </summary>
public sealed record ExecuteDispatch(Guid DispatchId, int Attempt = 1);

/// <summary>202 with a <c>Location</c> to poll.</summary>
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
    public static async Task<DispatchTarget?> LoadAsync(RequestDispatch command, IQuerySession session, Caller caller,
        CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(command.Provider) || string.IsNullOrWhiteSpace(command.RouteKey)) return null;

        var route = await session.LoadAsync<Route>(RegistryIds.Route(command.Provider, command.RouteKey), cancellation);
        var provider = await session.LoadAsync<Provider>(RegistryIds.Provider(command.Provider), cancellation);
        if (route is null || provider is null) return null;

        var connection = string.IsNullOrWhiteSpace(command.TenantId)
            ? null
            : await ConnectionLookup.FindActiveAsync(session, command.TenantId, command.Provider,
                caller.Environment, cancellation);
        return new DispatchTarget(route, provider, connection);
    }

    public static ProblemDetails Validate(RequestDispatch command, DispatchTarget? target, HttpRequest request, Caller caller)
    {
        var problems = new List<ProblemDetail>();
        if (string.IsNullOrWhiteSpace(command.TenantId)) problems.Add(new("tenant_id", "required"));
        if (string.IsNullOrWhiteSpace(command.Provider)) problems.Add(new("provider", "required"));
        if (string.IsNullOrWhiteSpace(command.RouteKey)) problems.Add(new("route_key", "required"));
        if (command.Payload is null || command.Payload.Value.ValueKind == JsonValueKind.Null)
            problems.Add(new("payload", "required", "send {} when the route needs no input"));
        if (command.Payload is { ValueKind: not JsonValueKind.Null } payload && PayloadBounds.Check(payload) is { } breach)
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

        if (target.Provider.NeedsConnection && target.Connection is null)
            return ApiProblems.Create(422, "connection_missing",
                $"Location '{command.TenantId}' has no active {caller.Environment.ToString().ToLowerInvariant()} connection to '{command.Provider}'.",
                new ProblemDetail("provider", "connection_missing", $"POST /api/v1/locations/{command.TenantId}/connections"));

        return WolverineContinue.NoProblems;
    }

    /// <summary>
    /// Appends <see cref="DispatchRequested"/> (pinned to the route's current version and the
    /// connection) and schedules execution through the outbox: both commit in one transaction or neither does.
    /// </summary>
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches")]
    [DeduplicatedWithResponse(DeduplicationScope.User, Required = false, ClaimInTransaction = true)]
    public static (DispatchAccepted, IStartStream, OutgoingMessages) Post(
        RequestDispatch command, DispatchTarget target, HttpContext context, Caller caller, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var tenantId = command.TenantId!;
        var route = target.Route;
        IdempotencyReplay.MarkExecuted(context);

        var requested = new DispatchRequested(id, tenantId, route.Provider, route.RouteKey, route.CurrentVersion,
            caller.Environment, command.Payload!.Value.Clone(), clock.GetUtcNow(), target.Connection?.Id,
            IdempotencyKeyOf(context.Request));

        var start = MartenOps.StartStream<Dispatch>(id, tenantId, requested);
        var execute = new OutgoingMessages { new ExecuteDispatch(id).WithTenantId(tenantId) };

        return (new DispatchAccepted(id, "accepted", route.CurrentVersion, $"/api/v1/dispatches/{id}"), start, execute);
    }

    /// <summary>The caller's Idempotency-Key, carried to the provider where a route's templates ask for it.</summary>
    private static string? IdempotencyKeyOf(HttpRequest request) =>
        request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
}
