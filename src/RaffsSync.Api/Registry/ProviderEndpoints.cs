using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;

namespace RaffsSync.Api.Registry;

/// <summary>A provider to register: its key, its name, what its connections hold, and its base URL per environment.</summary>
/// <param name="Key">The provider's key, used in paths and dispatches: letters, digits, '.', '_' and '-'.</param>
/// <param name="Name">A name for people.</param>
/// <param name="AuthKind">What its connections must hold; <c>none</c> (the default) needs no connection.</param>
/// <param name="BaseUrls">The base URL per environment, <c>sandbox</c> and <c>production</c> (at least one): an absolute http(s) URL without a query or <c>user:password@</c>, or a path on this service such as <c>/sandbox</c>. A base URL whose host is an IP address must be one provider calls may reach.</param>
/// <param name="InboundSignature">Shorthand for how events the provider pushes are signed: <c>hmac-sha256:X-Signature</c> is HMAC-SHA256 of the raw body, hex, in that header, keyed by the connection's <c>webhook_secret</c> credential, with the event type at <c>type</c> and its id at <c>id</c> in the body. Used only when <c>inbound</c> is absent.</param>
/// <param name="Inbound">How events the provider pushes to <c>POST /api/v1/inbound/{provider}/{connection_id}</c> are verified and read; without it (and without <c>inbound_signature</c>) every push is refused.</param>
public sealed record ProviderInput(
    [property: Required, MaxLength(IdentifierLimits.Key), RegularExpression(RouteValidation.KeyPattern)] string? Key = null,
    [property: Required, MaxLength(IdentifierLimits.Name)] string? Name = null,
    string? AuthKind = null,
    [property: Required] Dictionary<string, string>? BaseUrls = null,
    string? InboundSignature = null,
    InboundSettings? Inbound = null) : IExample<ProviderInput>
{
    public static ProviderInput Example => new("kasir", "Kasir", "api_key",
        new() { ["sandbox"] = "https://sandbox.kasir.example", ["production"] = "https://api.kasir.example" },
        Inbound: ProviderEndpoints.ExampleInbound);
}

/// <summary>A provider's new name, auth kind, base URLs and inbound settings; its key stays.</summary>
/// <param name="Key">May be sent, and must then be the provider's own key.</param>
/// <param name="Name">A name for people.</param>
/// <param name="AuthKind">What its connections must hold; <c>none</c> (the default) needs no connection.</param>
/// <param name="BaseUrls">The base URL per environment, as when registering; the new set replaces the old one.</param>
/// <param name="InboundSignature">Shorthand for how events the provider pushes are signed (<c>hmac-sha256:X-Signature</c>), as when registering; used only when <c>inbound</c> is absent.</param>
/// <param name="Inbound">How events the provider pushes are verified and read, as when registering; the new object replaces the old one.</param>
public sealed record ProviderChange(
    [property: MaxLength(IdentifierLimits.Key)] string? Key = null,
    [property: Required, MaxLength(IdentifierLimits.Name)] string? Name = null,
    string? AuthKind = null,
    [property: Required] Dictionary<string, string>? BaseUrls = null,
    string? InboundSignature = null,
    InboundSettings? Inbound = null) : IExample<ProviderChange>
{
    public static ProviderChange Example => new("kasir", "Kasir POS", "api_key",
        new() { ["sandbox"] = "https://sandbox.kasir.example", ["production"] = "https://api.kasir.example" }, "hmac-sha256:X-Signature");
}

// The provider registry: each provider is a stream; registering (RegisterProvider), changing (ChangeProvider) and retiring
// (RetireProvider) are events.
public static class ProviderEndpoints
{
    /// <summary>An inbound object as the documents' examples show it.</summary>
    public static InboundSettings ExampleInbound { get; } = new(
        new SignatureScheme(SignatureScheme.HmacSha256, "X-Kasir-Signature", Prefix: "sha256=", SignedContent: "{timestamp}.{body}",
            TimestampHeader: "X-Kasir-Timestamp"),
        EventType: "header:X-Kasir-Event", EventId: "event_id");

    /// <summary>List providers</summary>
    /// <remarks>The registered providers, retired ones included, by key. A partner sees only its own provider.</remarks>
    [Authorize(Policy = Scopes.RegistryRead)]
    [QueryString<PageRequest>]
    [WolverineGet("/api/v1/providers", OperationId = "listProviders")]
    public static async Task<PageEnvelope<ProviderView>> List(IQuerySession session, Caller caller, HttpContext context,
        CancellationToken cancellation)
    {
        var page = PageRequest.From(context.Request);
        IQueryable<Provider> query = session.Query<Provider>();
        if (caller.Class == CallerClass.Partner) query = query.Where(p => p.Key == caller.Provider);
        var (providers, total) = await query.OrderBy(p => p.Key).PageAsync(page, cancellation);
        return page.Envelope(providers.Select(ProviderView.From).ToList(), total, context.Request);
    }

    /// <summary>Get a provider</summary>
    /// <remarks>Its name, auth kind, base URL per environment and status. A partner sees only its own provider; any other is 404 <c>provider_not_found</c>.</remarks>
    [Authorize(Policy = Scopes.RegistryRead)]
    [WolverineGet("/api/v1/providers/{provider}", OperationId = "getProvider")]
    public static async Task<Results<Ok<ProviderView>, ProblemHttpResult>> Get(string provider, IQuerySession session, Caller caller,
        CancellationToken cancellation) =>
        caller.CanSeeProvider(provider) && await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation) is { } found
            ? TypedResults.Ok(ProviderView.From(found))
            : TypedResults.Problem(RegistryProblems.ProviderNotFound(provider));

    /// <summary>The base URLs of a validated input, by environment.</summary>
    public static Dictionary<ProviderEnvironment, string> BaseUrls(IReadOnlyDictionary<string, string> baseUrls) =>
        baseUrls.ToDictionary(b => Enum.Parse<ProviderEnvironment>(b.Key, ignoreCase: true), b => b.Value);
}
