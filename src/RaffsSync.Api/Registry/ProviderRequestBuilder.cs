using System.Text.Json;
using Marten;
using RaffsSync.Api.Connections;
using RaffsSync.Domain;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Api.Registry;

/// <summary>One dispatch's inputs to a route, before the connection's settings and credentials are added.</summary>
public sealed record DispatchInputs(
    Guid DispatchId,
    string TenantId,
    ProviderEnvironment Environment,
    JsonElement Payload,
    DateTimeOffset Now,
    string? IdempotencyKey = null);

/// <summary>
/// Builds the request a route version sends for one dispatch: the provider's base URL for the
/// caller's environment, the connection's settings and credentials, an OAuth2 token when the route
/// needs one, and the route's templates. The executor and the render dry run both use it, so the
/// dry run shows exactly what would be sent (the dry run never fetches a token).
/// </summary>
public sealed class ProviderRequestBuilder(SelfAddress self, SecretVault vault, OAuthTokens tokens)
{
    public async Task<RenderedRequests> BuildAsync(IQuerySession session, Provider provider, RouteDefinition route,
        Connection? connection, DispatchInputs dispatch, bool dryRun, CancellationToken cancellation)
    {
        var baseUrl = provider.BaseUrls.GetValueOrDefault(dispatch.Environment)
            ?? throw new TemplateException("base_urls",
                $"Provider '{provider.Key}' has no {dispatch.Environment.ToString().ToLowerInvariant()} base URL.");

        var credentials = connection is null
            ? new Dictionary<string, string>()
            : await ConnectionLookup.CredentialsAsync(session, vault, connection, cancellation);
        var inputs = new TemplateInputs(dispatch.DispatchId, dispatch.TenantId, dispatch.Payload, dispatch.Now,
            dispatch.IdempotencyKey, connection?.Settings, credentials);

        string? accessToken = null;
        if (route.Auth is { Type: "oauth2_client_credentials" } oauth)
        {
            accessToken = dryRun
                ? TemplateContext.Mask
                : await tokens.GetAsync(connection?.Id ?? Guid.Empty, oauth, TemplateContext.For(inputs), cancellation);
        }

        return RequestRenderer.Render(route, self.Resolve(baseUrl), inputs, accessToken);
    }
}
