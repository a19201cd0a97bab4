using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;

namespace RaffsSync.Api.Registry;

public sealed record ProviderInput(
    string? Key,
    string? Name,
    string? AuthKind,
    Dictionary<string, string>? BaseUrls,
    string? InboundSignature);

/// <summary>The provider registry: each provider is a stream; registering and changing are events.</summary>
public static class ProviderEndpoints
{
    /// <summary>Lists the providers, in pages.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet("/api/v1/providers")]
    public static async Task<PageEnvelope<ProviderView>> List(IQuerySession session, HttpContext context, CancellationToken cancellation)
    {
        var page = PageRequest.From(context.Request);
        var caller = Caller.From(context.User);
        IQueryable<Provider> query = session.Query<Provider>();
        if (caller.Class == CallerClass.Partner) query = query.Where(p => p.Key == caller.Provider);
        var (providers, total) = await query.OrderBy(p => p.Key).PageAsync(page, cancellation);
        return page.Envelope(providers.Select(ProviderView.From).ToList(), total, context.Request);
    }

    /// <summary>A provider: name, auth kind, base URLs per environment.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet("/api/v1/providers/{provider}")]
    public static async Task<IResult> Get(string provider, IQuerySession session, HttpContext context, CancellationToken cancellation) =>
        Caller.From(context.User).CanSeeProvider(provider)
        && await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation) is { } found
            ? Results.Ok(ProviderView.From(found))
            : ProblemResults.NotFound("provider_not_found", $"Provider '{provider}' was not found.");

    /// <summary>Registers a provider (ProviderRegistered).</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost("/api/v1/providers")]
    public static async Task<IResult> Post(ProviderInput? input, IDocumentSession session, ProviderEgress egress, TimeProvider clock,
        CancellationToken cancellation)
    {
        if (input is null) return ProblemResults.Validation([new FieldError("body", "required", "a provider object")]);
        var errors = ProviderValidation.Validate(input.Key, input.Name, input.AuthKind, input.BaseUrls, egress.Rules);
        if (errors.Count > 0) return ProblemResults.Validation(errors);

        var id = RegistryIds.Provider(input.Key!);
        var registered = new ProviderRegistered(input.Key!, input.Name!, input.AuthKind ?? "none", BaseUrls(input),
            clock.GetUtcNow(), input.InboundSignature);

        switch (ProviderDecisions.Register(await session.LoadAsync<Provider>(id, cancellation), registered))
        {
            case Decision.Conflict conflict:
                return ProblemResults.Conflict(conflict);
            default:
                session.Events.StartStream<Provider>(id, registered);
                return Results.Created(ResourcePath.Of("providers", registered.Key), ProviderView.From(Provider.Create(registered)));
        }
    }

    /// <summary>Changes a provider (ProviderChanged); the key stays.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePut("/api/v1/providers/{provider}")]
    public static async Task<IResult> Put(string provider, ProviderInput? input, IDocumentSession session, ProviderEgress egress,
        TimeProvider clock, CancellationToken cancellation)
    {
        if (input is null) return ProblemResults.Validation([new FieldError("body", "required", "a provider object")]);
        var errors = ProviderValidation.Validate(provider, input.Name, input.AuthKind, input.BaseUrls, egress.Rules).ToList();
        if (input.Key is not null && input.Key != provider) errors.Add(new FieldError("key", "immutable", $"the key stays '{provider}'"));
        if (errors.Count > 0) return ProblemResults.Validation(errors);

        var stream = await session.Events.FetchForWriting<Provider>(RegistryIds.Provider(provider), cancellation);
        if (stream.Aggregate is not { } existing) return ProblemResults.NotFound("provider_not_found", $"Provider '{provider}' was not found.");

        var changed = new ProviderChanged(provider, input.Name!, input.AuthKind ?? "none", BaseUrls(input), clock.GetUtcNow(),
            input.InboundSignature);
        switch (ProviderDecisions.Change(existing, changed))
        {
            case Decision.Conflict conflict:
                return ProblemResults.Conflict(conflict);
            case Decision.Append { ChangesNothing: true }:
                return Results.Ok(ProviderView.From(existing));
            default:
                stream.AppendOne(changed);
                return Results.Ok(ProviderView.From(existing.Apply(changed)));
        }
    }

    /// <summary>Retires a provider for good: no new dispatches and no changes to it or its routes.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost("/api/v1/providers/{provider}/retire")]
    public static async Task<IResult> Retire(string provider, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var stream = await session.Events.FetchForWriting<Provider>(RegistryIds.Provider(provider), cancellation);
        if (stream.Aggregate is not { } existing) return ProblemResults.NotFound("provider_not_found", $"Provider '{provider}' was not found.");

        var retired = ProviderDecisions.Retire(existing, clock.GetUtcNow());
        stream.AppendMany(retired.Events);
        return Results.Ok(ProviderView.From(retired.Events is [ProviderRetired e] ? existing.Apply(e) : existing));
    }

    /// <summary>The base URLs of a validated input, by environment.</summary>
    public static Dictionary<ProviderEnvironment, string> BaseUrls(ProviderInput input) =>
        input.BaseUrls!.ToDictionary(b => Enum.Parse<ProviderEnvironment>(b.Key, ignoreCase: true), b => b.Value);
}
