using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
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
    public static async Task<ProblemDetails> ValidateAsync(string tenantId, ConnectionInput input, Caller caller, IQuerySession session,
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

    /// <summary>Connects a location to a provider in one environment; credentials are write-only.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [WolverinePost("/api/v1/locations/{tenantId}/connections")]
    public static (IResult, IStartStream, IMartenOp) Post(string tenantId, ConnectionInput input, SecretVault vault, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var credentials = input.Credentials ?? new Dictionary<string, string>();
        var created = new ConnectionCreated(id, tenantId, input.Provider!, Enum.Parse<ProviderEnvironment>(input.Environment!, ignoreCase: true),
            input.Settings ?? new Dictionary<string, string>(), vault.Fingerprints(credentials), clock.GetUtcNow());

        return (Results.Created(ResourcePath.Of("locations", tenantId, "connections", id), ConnectionView.From(Connection.Create(created))),
            MartenOps.StartStream<Connection>(id, tenantId, created),
            MartenOps.Store(new ConnectionSecret { Id = id, Sealed = vault.Seal(id, credentials) }, tenantId));
    }
}
