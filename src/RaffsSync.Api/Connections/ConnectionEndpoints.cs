using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Registry;
using Wolverine.Http;

namespace RaffsSync.Api.Connections;

/// <summary>A new connection of a location to a provider, in one environment.</summary>
/// <param name="Provider">The provider's key, as in the registry.</param>
/// <param name="Environment"><c>sandbox</c> or <c>production</c>.</param>
/// <param name="Credentials">
/// Secrets by name, each a non-empty string, read by routes' headers and auth as <c>{{credentials.name}}</c>. Write-only:
/// sealed at rest, and never answered; connections show each one's name and fingerprint.
/// </param>
/// <param name="Settings">Values by name that routes read as <c>{{connection.settings.name}}</c>, such as an outlet id.</param>
public sealed record CreateConnection(
    [property: Required, MaxLength(IdentifierLimits.Key)] string? Provider = null,
    [property: Required, MaxLength(IdentifierLimits.Id)] string? Environment = null,
    Dictionary<string, string>? Credentials = null,
    Dictionary<string, string>? Settings = null) : IExample<CreateConnection>
{
    public static CreateConnection Example => new("takeapp", "sandbox", new() { ["token"] = "tk_sandbox_0123456789" }, new() { ["outlet_id"] = "OUT-7" });
}

/// <summary>A change to a connection: what is left out stays as it is.</summary>
/// <param name="Provider">Unchangeable: if sent, the connection's own provider.</param>
/// <param name="Environment">Unchangeable: if sent, the connection's own environment.</param>
/// <param name="Credentials">
/// The new secrets by name, each a non-empty string; they replace all current ones (a rotation, unless they are the same).
/// Write-only: sealed at rest, and never answered.
/// </param>
/// <param name="Settings">The new settings by name; they replace all current ones.</param>
public sealed record ChangeConnection(
    [property: MaxLength(IdentifierLimits.Key)] string? Provider = null,
    [property: MaxLength(IdentifierLimits.Id)] string? Environment = null,
    Dictionary<string, string>? Credentials = null,
    Dictionary<string, string>? Settings = null) : IExample<ChangeConnection>
{
    public static ChangeConnection Example => new(Credentials: new() { ["token"] = "tk_sandbox_9876543210" });
}

/// <summary>
/// A location's credentials and settings for a provider (CreateConnection, ChangeConnection, RemoveConnection). Credentials
/// are write-only: sealed into a <see cref="ConnectionSecret"/> in the same transaction as the event, which carries only fingerprints.
/// </summary>
public static class ConnectionEndpoints
{
    private const string Collection = "/api/v1/locations/{tenantId}/connections";

    /// <summary>List a location's connections</summary>
    /// <remarks>
    /// The location's connections, oldest first, removed ones included (`status: removed`): provider, environment,
    /// settings, and each credential's name and fingerprint, never its value. A location the caller cannot act for is
    /// 404 `not_found`.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryRead)]
    [QueryString<PageRequest>]
    [WolverineGet(Collection, OperationId = "listConnections")]
    public static async Task<Results<Ok<PageEnvelope<ConnectionView>>, ProblemHttpResult>> List(string tenantId, IQuerySession session,
        Caller caller, HttpContext context, CancellationToken cancellation)
    {
        if (!caller.CanAccess(tenantId)) return TypedResults.Problem(ConnectionProblems.LocationNotFound(tenantId));

        var page = PageRequest.From(context.Request);
        var (connections, total) = await session.Query<Connection>()
            .Where(c => c.AnyTenant() && c.TenantId == tenantId)
            .OrderBy(c => c.CreatedAt).PageAsync(page, cancellation);
        return TypedResults.Ok(page.Envelope(connections.Select(ConnectionView.From).ToList(), total, context.Request));
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
