using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
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

/// <summary>Carries the dispatch to the execution queue; the tenant rides on the envelope.</summary>
public sealed record ExecuteDispatch(Guid DispatchId);

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

public static class RequestDispatchEndpoint
{
    public static async Task<Route?> LoadAsync(RequestDispatch command, IQuerySession session, CancellationToken cancellation) =>
        string.IsNullOrWhiteSpace(command.Provider) || string.IsNullOrWhiteSpace(command.RouteKey)
            ? null
            : await session.LoadAsync<Route>(RegistryIds.Route(command.Provider, command.RouteKey), cancellation);

    public static ProblemDetails Validate(RequestDispatch command, Route? route, HttpContext context)
    {
        var missing = new List<ProblemDetail>();
        if (string.IsNullOrWhiteSpace(command.TenantId)) missing.Add(new("tenant_id", "required"));
        if (string.IsNullOrWhiteSpace(command.Provider)) missing.Add(new("provider", "required"));
        if (string.IsNullOrWhiteSpace(command.RouteKey)) missing.Add(new("route_key", "required"));
        if (command.Payload is null || command.Payload.Value.ValueKind == JsonValueKind.Null)
            missing.Add(new("payload", "required", "send {} when the route needs no input"));
        if (missing.Count > 0) return ApiProblems.Validation([.. missing]);

        if (!Caller.From(context.User).CanAccess(command.TenantId!))
            return ApiProblems.Create(404, "not_found", $"Location '{command.TenantId}' was not found.");

        if (route is null)
            return ApiProblems.Create(404, "route_not_found",
                $"Provider '{command.Provider}' has no route '{command.RouteKey}'.",
                new ProblemDetail("route_key", "unknown"));

        if (!route.Enabled)
            return ApiProblems.Create(422, "route_disabled", $"Route '{command.Provider}/{command.RouteKey}' is disabled.");

        return WolverineContinue.NoProblems;
    }

    /// <summary>
    /// Appends <see cref="DispatchRequested"/> and schedules execution through the outbox: both
    /// commit in one transaction or neither does.
    /// </summary>
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches")]
    public static (DispatchAccepted, IStartStream, OutgoingMessages) Post(
        RequestDispatch command, Route route, HttpContext context, TimeProvider clock)
    {
        var caller = Caller.From(context.User);
        var id = Guid.CreateVersion7();
        var tenantId = command.TenantId!;

        var requested = new DispatchRequested(id, tenantId, route.Provider, route.RouteKey, route.CurrentVersion,
            caller.Environment, command.Payload!.Value.Clone(), clock.GetUtcNow());

        var start = MartenOps.StartStream<Dispatch>(id, tenantId, requested);
        var execute = new OutgoingMessages { new ExecuteDispatch(id).WithTenantId(tenantId) };

        return (new DispatchAccepted(id, "accepted", route.CurrentVersion, $"/api/v1/dispatches/{id}"), start, execute);
    }
}
