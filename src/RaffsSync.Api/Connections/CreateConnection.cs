using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Api.Registry;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Connections;

public static class CreateConnectionEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(string tenantId, CreateConnection input, Caller caller, IQuerySession session,
        CancellationToken cancellation)
    {
        if (!caller.CanAccess(tenantId)) return ConnectionProblems.LocationNotFound(tenantId);

        var errors = ConnectionDecisions.ValidateNew(input.Provider, input.Environment, input.Credentials);
        if (errors.Count > 0) return RegistryProblems.Invalid(errors);
        if (await session.LoadAsync<Provider>(RegistryIds.Provider(input.Provider!), cancellation) is null)
            return RegistryProblems.ProviderNotFound(input.Provider!);

        var environment = Enum.Parse<ProviderEnvironment>(input.Environment!, ignoreCase: true);
        return await ConnectionLookup.FindActiveAsync(session, tenantId, input.Provider!, environment, cancellation) is { } existing
            ? ApiProblems.Create(409, "conflict",
                $"Location '{tenantId}' already has an active {input.Environment} connection to '{input.Provider}' ({existing.Id}); change or delete that one.")
            : WolverineContinue.NoProblems;
    }

    /// <summary>Connect a location to a provider</summary>
    /// <remarks>
    /// Connects the location to a provider in one environment and answers 201 with the connection; `Location` is its path,
    /// for `PUT` and `DELETE`. Dispatches to the provider for this location and environment use its
    /// credentials and settings. Credentials are write-only: they are sealed at rest, and answers show only each one's
    /// name and fingerprint. A location has at most one active connection per provider and environment: another is
    /// 409 `conflict` (change or delete that one). An unknown provider is 404 `provider_not_found`, a location the caller
    /// cannot act for 404 `not_found`.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [ProblemResponses(409)]
    [WolverinePost("/api/v1/locations/{tenantId}/connections", OperationId = "createConnection")]
    public static (Created<ConnectionView>, IStartStream, IMartenOp) Post(string tenantId, CreateConnection input, SecretVault vault, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var credentials = input.Credentials ?? new Dictionary<string, string>();
        var created = new ConnectionCreated(id, tenantId, input.Provider!, Enum.Parse<ProviderEnvironment>(input.Environment!, ignoreCase: true),
            input.Settings ?? new Dictionary<string, string>(), vault.Fingerprints(credentials), clock.GetUtcNow());

        return (TypedResults.Created(ResourcePath.Of("locations", tenantId, "connections", id), ConnectionView.From(Connection.Create(created))),
            MartenOps.StartStream<Connection>(id, tenantId, created),
            MartenOps.Store(new ConnectionSecret { Id = id, Sealed = vault.Seal(id, credentials) }, tenantId));
    }
}
