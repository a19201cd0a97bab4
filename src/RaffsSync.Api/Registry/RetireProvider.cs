using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.OpenApi;
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

    /// <summary>Retire a provider</summary>
    /// <remarks>
    /// For good: new dispatches to it are 422 <c>provider_retired</c>, and it cannot be changed nor its routes defined or
    /// revised; it and its history stay readable. Retiring a retired provider changes nothing.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [ProblemResponses(409)]
    [WolverinePost("/api/v1/providers/{provider}/retire", OperationId = "retireProvider")]
    public static (Results<Ok<ProviderView>, ProblemHttpResult>, Events) Retire(
        [WriteAggregate(FromMethod = nameof(ProviderId), Required = false)] Provider existing, TimeProvider clock) =>
        ProviderDecisions.Retire(existing, clock.GetUtcNow())
            .Respond(events => TypedResults.Ok(ProviderView.From(events.Aggregate(existing, Provider.Evolve))));
}
