using Marten;
using Microsoft.AspNetCore.Authorization;
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
/// A location's credentials and settings for a provider. Credentials are write-only: sealed into
/// a <see cref="ConnectionSecret"/> in the same transaction as the event, which carries only fingerprints.
/// </summary>
public static class ConnectionEndpoints
{
    private const string Collection = "/api/v1/locations/{tenantId}/connections";

    /// <summary>A location's connections: settings, credential names and fingerprints.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet(Collection)]
    public static async Task<IResult> List(string tenantId, IQuerySession session, HttpContext context, CancellationToken cancellation)
    {
        if (!Caller.From(context.User).CanAccess(tenantId)) return LocationNotFound(tenantId);

        var page = PageRequest.From(context.Request);
        var (connections, total) = await session.Query<Connection>()
            .Where(c => c.AnyTenant() && c.TenantId == tenantId)
            .OrderBy(c => c.CreatedAt).PageAsync(page, cancellation);
        return Results.Ok(page.Envelope(connections.Select(ConnectionView.From).ToList(), total, context.Request));
    }

    /// <summary>Connects a location to a provider in one environment; credentials are write-only.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [WolverinePost(Collection)]
    public static async Task<IResult> Post(string tenantId, ConnectionInput input, IDocumentSession session, SecretVault vault,
        HttpContext context, TimeProvider clock, CancellationToken cancellation)
    {
        if (!Caller.From(context.User).CanAccess(tenantId)) return LocationNotFound(tenantId);

        var errors = ConnectionDecisions.ValidateNew(input.Provider, input.Environment, input.Credentials);
        if (errors.Count > 0) return ProblemResults.Validation(errors);
        if (await session.LoadAsync<Provider>(RegistryIds.Provider(input.Provider!), cancellation) is null)
            return ProblemResults.NotFound("provider_not_found", $"Provider '{input.Provider}' was not found.");

        var environment = Enum.Parse<ProviderEnvironment>(input.Environment!, ignoreCase: true);
        if (await ConnectionLookup.FindActiveAsync(session, tenantId, input.Provider!, environment, cancellation) is { } existing)
            return Results.Problem(ApiProblems.Create(409, "conflict",
                $"Location '{tenantId}' already has an active {input.Environment} connection to '{input.Provider}' ({existing.Id}); change or delete that one."));

        var id = Guid.CreateVersion7();
        var credentials = input.Credentials ?? new Dictionary<string, string>();
        var created = new ConnectionCreated(id, tenantId, input.Provider!, environment,
            input.Settings ?? new Dictionary<string, string>(), vault.Fingerprints(credentials), clock.GetUtcNow());

        var tenant = session.ForTenant(tenantId);
        tenant.Events.StartStream<Connection>(id, created);
        tenant.Store(new ConnectionSecret { Id = id, Sealed = vault.Seal(id, credentials) });
        return Results.Created(ResourcePath.Of("locations", tenantId, "connections", id), ConnectionView.From(Connection.Create(created)));
    }

    /// <summary>Changes settings and/or rotates credentials; what is omitted stays.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [WolverinePut(Collection + "/{id}")]
    public static async Task<IResult> Put(string tenantId, Guid id, ConnectionInput input, IDocumentSession session, SecretVault vault,
        HttpContext context, TimeProvider clock, CancellationToken cancellation)
    {
        if (!Caller.From(context.User).CanAccess(tenantId)) return LocationNotFound(tenantId);
        if (await ConnectionLookup.FindAsync(session, tenantId, id, cancellation) is not { Active: true } current)
            return ConnectionNotFound(id);

        var errors = ConnectionDecisions.ValidateCredentials(input.Credentials).ToList();
        if (input.Provider is not null && input.Provider != current.Provider) errors.Add(new("provider", "immutable"));
        if (input.Environment is not null && !input.Environment.Equals(current.Environment.ToString(), StringComparison.OrdinalIgnoreCase))
            errors.Add(new("environment", "immutable"));
        if (errors.Count > 0) return ProblemResults.Validation(errors);

        var events = ConnectionDecisions.Change(current, input.Settings,
            input.Credentials is null ? null : vault.Fingerprints(input.Credentials), clock.GetUtcNow());
        var tenant = session.ForTenant(tenantId);
        tenant.Events.Append(id, events);
        if (events.OfType<ConnectionCredentialsRotated>().Any())
            tenant.Store(new ConnectionSecret { Id = id, Sealed = vault.Seal(id, input.Credentials!) });

        return Results.Ok(ConnectionView.From(events.Aggregate(current, Connection.Evolve)));
    }

    /// <summary>Removes the connection and destroys its sealed credentials; its history stays in the event store.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [WolverineDelete(Collection + "/{id}")]
    public static async Task<IResult> Delete(string tenantId, Guid id, IDocumentSession session, HttpContext context, TimeProvider clock,
        CancellationToken cancellation)
    {
        if (!Caller.From(context.User).CanAccess(tenantId)) return LocationNotFound(tenantId);
        if (await ConnectionLookup.FindAsync(session, tenantId, id, cancellation) is not { Active: true } current)
            return ConnectionNotFound(id);

        var removed = new ConnectionRemoved(id, clock.GetUtcNow());
        var tenant = session.ForTenant(tenantId);
        tenant.Events.Append(id, removed);
        tenant.Delete<ConnectionSecret>(id);
        return Results.Ok(ConnectionView.From(current.Apply(removed)));
    }

    private static IResult LocationNotFound(string tenantId) =>
        ProblemResults.NotFound("not_found", $"Location '{tenantId}' was not found.");

    private static IResult ConnectionNotFound(Guid id) =>
        ProblemResults.NotFound("not_found", $"Connection '{id}' was not found.");
}
