using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Registry;

public static class RetireProviderEndpoint
{
    public static Guid ProviderId(string provider) => RegistryIds.Provider(provider);

    public static ProblemDetails Validate(string provider, Provider? existing) =>
        existing is null ? RegistryProblems.ProviderNotFound(provider) : WolverineContinue.NoProblems;

    /// <summary>Retires a provider for good: no new dispatches and no changes to it or its routes.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost("/api/v1/providers/{provider}/retire")]
    public static (IResult, Events) Retire([WriteAggregate(FromMethod = nameof(ProviderId), Required = false)] Provider existing,
        TimeProvider clock) =>
        ProviderDecisions.Retire(existing, clock.GetUtcNow())
            .Respond(events => Results.Ok(ProviderView.From(events.Aggregate(existing, Provider.Evolve))));
}
