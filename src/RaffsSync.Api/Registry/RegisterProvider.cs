using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Registry;

public static class RegisterProviderEndpoint
{
    /// <summary>The stream the body's key names (the key is checked by <see cref="Validate"/>).</summary>
    public static Guid ProviderId(ProviderInput? input) => RegistryIds.Provider(input?.Key ?? "");

    public static ProblemDetails Validate(ProviderInput? input, ProviderEgress egress)
    {
        if (input is null) return RegistryProblems.Invalid([RegistryProblems.BodyRequired("a provider object")]);
        var errors = ProviderValidation.Validate(input.Key, input.Name, input.AuthKind, input.BaseUrls, egress.Rules, input.Inbound,
            input.InboundSignature);
        return errors.Count > 0 ? RegistryProblems.Invalid(errors) : WolverineContinue.NoProblems;
    }

    /// <summary>Register a provider</summary>
    /// <remarks>
    /// Adds a provider to the registry; its routes are added next (<c>PUT .../routes/{route_key}</c>, or a route pack).
    /// 201 with the provider and its <c>Location</c>. A key that is already registered is 409 <c>conflict</c>, retired or not.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [ProblemResponses(409)]
    [WolverinePost("/api/v1/providers", OperationId = "registerProvider")]
    public static (Results<Created<ProviderView>, ProblemHttpResult>, IMartenOp) Post(ProviderInput input,
        [ReadAggregate(FromMethod = nameof(ProviderId), Required = false)] Provider? existing, TimeProvider clock)
    {
        var registered = new ProviderRegistered(input.Key!, input.Name!, input.AuthKind ?? "none", ProviderEndpoints.BaseUrls(input.BaseUrls!),
            clock.GetUtcNow(), input.InboundSignature, input.Inbound);

        // Two registrations racing past this check both start the stream; the loser's commit is 409 conflict (ConcurrencyConflicts).
        return ProviderDecisions.Register(existing, registered) is Decision.Conflict conflict
            ? (TypedResults.Problem(RegistryProblems.Conflict(conflict)), MartenOps.Nothing())
            : (TypedResults.Created(ResourcePath.Of("providers", registered.Key), ProviderView.From(Provider.Create(registered))),
                MartenOps.StartStream<Provider>(RegistryIds.Provider(registered.Key), registered));
    }
}
