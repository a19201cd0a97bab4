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

/// <summary>The provider registry: each provider is a stream; registering (RegisterProvider), changing (ChangeProvider) and retiring (RetireProvider) are events.</summary>
public static class ProviderEndpoints
{
    /// <summary>Lists the providers, in pages.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet("/api/v1/providers")]
    public static async Task<PageEnvelope<ProviderView>> List(IQuerySession session, Caller caller, HttpContext context,
        CancellationToken cancellation)
    {
        var page = PageRequest.From(context.Request);
        IQueryable<Provider> query = session.Query<Provider>();
        if (caller.Class == CallerClass.Partner) query = query.Where(p => p.Key == caller.Provider);
        var (providers, total) = await query.OrderBy(p => p.Key).PageAsync(page, cancellation);
        return page.Envelope(providers.Select(ProviderView.From).ToList(), total, context.Request);
    }

    /// <summary>A provider: name, auth kind, base URLs per environment.</summary>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet("/api/v1/providers/{provider}")]
    public static async Task<IResult> Get(string provider, IQuerySession session, Caller caller, CancellationToken cancellation) =>
        caller.CanSeeProvider(provider) && await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation) is { } found
            ? Results.Ok(ProviderView.From(found))
            : Results.Problem(RegistryProblems.ProviderNotFound(provider));

    /// <summary>The base URLs of a validated input, by environment.</summary>
    public static Dictionary<ProviderEnvironment, string> BaseUrls(ProviderInput input) =>
        input.BaseUrls!.ToDictionary(b => Enum.Parse<ProviderEnvironment>(b.Key, ignoreCase: true), b => b.Value);
}
