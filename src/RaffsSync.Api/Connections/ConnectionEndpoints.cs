using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Registry;
using Wolverine.Http;

namespace RaffsSync.Api.Connections;

public sealed record ConnectionInput(
    string? Provider,
    string? Environment,
    Dictionary<string, string>? Credentials,
    Dictionary<string, string>? Settings);

/// <summary>
/// A location's credentials and settings for a provider (CreateConnection, ChangeConnection, RemoveConnection). Credentials
/// are write-only: sealed into a <see cref="ConnectionSecret"/> in the same transaction as the event, which carries only fingerprints.
/// </summary>
public static class ConnectionEndpoints
{
    private const string Collection = "/api/v1/locations/{tenantId}/connections";

    /// <summary>A location's connections: settings, credential names and fingerprints.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(Collection)]
    public static async Task<IResult> List(string tenantId, IQuerySession session, Caller caller, HttpContext context,
        CancellationToken cancellation)
    {
        if (!caller.CanAccess(tenantId)) return Results.Problem(ConnectionProblems.LocationNotFound(tenantId));

        var page = PageRequest.From(context.Request);
        var (connections, total) = await session.Query<Connection>()
            .Where(c => c.AnyTenant() && c.TenantId == tenantId)
            .OrderBy(c => c.CreatedAt).PageAsync(page, cancellation);
        return Results.Ok(page.Envelope(connections.Select(ConnectionView.From).ToList(), total, context.Request));
    }

}

public static class ConnectionProblems
{
    public static ProblemDetails LocationNotFound(string tenantId) => ApiProblems.Create(404, "not_found", $"Location '{tenantId}' was not found.");

    public static ProblemDetails ConnectionNotFound(Guid id) => ApiProblems.Create(404, "not_found", $"Connection '{id}' was not found.");

    /// <summary>Why this caller cannot change the connection (its location is out of reach, or it is gone), or null.</summary>
    public static ProblemDetails? Unchangeable(string tenantId, Guid id, Connection? current, Caller caller) =>
        !caller.CanAccess(tenantId) ? LocationNotFound(tenantId)
        : current is not { Active: true } ? ConnectionNotFound(id)
        : null;
}
