using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Registry;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using Wolverine.Http;

namespace RaffsSync.Api.Connections;

/// <remarks>
/// Not [WriteAggregate]: a connection's stream belongs to its location (conjoined tenancy) and Wolverine loads aggregates
/// through the request's default-tenant session; tenant detection from the route would make every <c>{tenantId}</c>
/// endpoint tenanted. So <see cref="Load"/> reads it across tenants and the endpoint appends through the location's session.
/// </remarks>
public static class ChangeConnectionEndpoint
{
    public static Task<Connection?> Load(string tenantId, Guid id, IQuerySession session, CancellationToken cancellation) =>
        ConnectionLookup.FindAsync(session, tenantId, id, cancellation);

    public static ProblemDetails Validate(string tenantId, Guid id, ChangeConnection input, Connection? current, Caller caller)
    {
        if (ConnectionProblems.Unchangeable(tenantId, id, current, caller) is { } problem) return problem;

        var errors = ConnectionDecisions.ValidateCredentials(input.Credentials).ToList();
        if (input.Provider is not null && input.Provider != current!.Provider) errors.Add(new("provider", "immutable"));
        if (input.Environment is not null && !input.Environment.Equals(current!.Environment.ToString(), StringComparison.OrdinalIgnoreCase))
            errors.Add(new("environment", "immutable"));
        return errors.Count > 0 ? RegistryProblems.Invalid(errors) : WolverineContinue.NoProblems;
    }

    /// <summary>Change a connection</summary>
    /// <remarks>
    /// Changes the connection's settings and/or rotates its credentials, and answers the connection as it now is; what is
    /// left out stays as it is, and sending what is already there changes nothing. Provider and environment cannot change
    /// (400 `validation_failed`, issue `immutable`): connect anew for another. A removed connection, or one of a location
    /// the caller cannot act for, is 404 `not_found`.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [WolverinePut("/api/v1/locations/{tenantId}/connections/{id}", OperationId = "changeConnection")]
    public static Ok<ConnectionView> Put(string tenantId, Guid id, ChangeConnection input, Connection current, IDocumentSession session,
        SecretVault vault, TimeProvider clock)
    {
        var events = ConnectionDecisions.Change(current, input.Settings,
            input.Credentials is null ? null : vault.Fingerprints(input.Credentials), clock.GetUtcNow());

        var location = session.ForTenant(tenantId);
        location.Events.Append(id, events);
        if (events.OfType<ConnectionCredentialsRotated>().Any())
            location.Store(new ConnectionSecret { Id = id, Sealed = vault.Seal(id, input.Credentials!) });
        return TypedResults.Ok(ConnectionView.From(events.Aggregate(current, Connection.Evolve)));
    }
}
