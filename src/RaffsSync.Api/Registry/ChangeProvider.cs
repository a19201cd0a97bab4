using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Registry;

public static class ChangeProviderEndpoint
{
    public static Guid ProviderId(string provider) => RegistryIds.Provider(provider);

    public static ProblemDetails Validate(string provider, ProviderChange? input, Provider? existing, ProviderEgress egress)
    {
        if (input is null) return RegistryProblems.Invalid([RegistryProblems.BodyRequired("a provider object")]);
        var errors = ProviderValidation.Validate(provider, input.Name, input.AuthKind, input.BaseUrls, egress.Rules, input.Inbound,
            input.InboundSignature).ToList();
        if (input.Key is not null && input.Key != provider) errors.Add(new FieldError("key", "immutable", $"the key stays '{provider}'"));
        if (errors.Count > 0) return RegistryProblems.Invalid(errors);
        return existing is null ? RegistryProblems.ProviderNotFound(provider) : WolverineContinue.NoProblems;
    }

    /// <summary>Change a provider</summary>
    /// <remarks>
    /// Replaces its name, auth kind, base URLs, inbound signature and inbound settings; the key stays (a different <c>key</c> is 400).
    /// Sending what is stored changes nothing. A retired provider cannot be changed (409 <c>conflict</c>).
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [ProblemResponses(409)]
    [WolverinePut("/api/v1/providers/{provider}", OperationId = "changeProvider")]
    public static (Results<Ok<ProviderView>, ProblemHttpResult>, Events) Put(string provider, ProviderChange input,
        [WriteAggregate(FromMethod = nameof(ProviderId), Required = false)] Provider existing, TimeProvider clock)
    {
        var changed = new ProviderChanged(provider, input.Name!, input.AuthKind ?? "none", ProviderEndpoints.BaseUrls(input.BaseUrls!),
            clock.GetUtcNow(), input.InboundSignature, input.Inbound);
        return ProviderDecisions.Change(existing, changed)
            .Respond(events => TypedResults.Ok(ProviderView.From(events.Aggregate(existing, Provider.Evolve))));
    }
}
