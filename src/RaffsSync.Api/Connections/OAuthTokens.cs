using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using RaffsSync.Api.Dispatches;
using RaffsSync.Api.Registry;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Api.Connections;

/// <summary>The provider's token endpoint refused or failed; nothing was sent to the route.</summary>
public sealed class ProviderAuthException(FailureType type, string message) : Exception(message)
{
    public FailureType Type { get; } = type;
}

/// <summary>
/// OAuth2 client credentials grant (RFC 6749 section 4.4) against a provider's token endpoint,
/// with each access token cached until shortly before it expires.
/// </summary>
public sealed class OAuthTokens(IHttpClientFactory clients, IMemoryCache cache)
{
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(30);

    public async Task<string> GetAsync(Guid connectionId, AuthPlacement auth, TemplateContext context, CancellationToken cancellation)
    {
        var clientId = StringTemplate.Render(auth.ClientId ?? "", context, "auth.client_id");
        var clientSecret = StringTemplate.Render(auth.ClientSecret ?? "", context, "auth.client_secret");
        var scope = auth.Scope is null ? null : StringTemplate.Render(auth.Scope, context, "auth.scope");

        // The secret's hash is part of the key, so a rotated secret never reuses an old token.
        var secretHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientSecret)));
        var key = $"oauth:{connectionId}:{auth.TokenUrl}:{clientId}:{secretHash}:{scope}";
        if (cache.TryGetValue(key, out string? cached) && cached is not null) return cached;

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret
        };
        if (!string.IsNullOrEmpty(scope)) form["scope"] = scope;

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(ProviderGateway.ClientName)
                .PostAsync(auth.TokenUrl, new FormUrlEncodedContent(form), cancellation);
        }
        catch (HttpRequestException e) when (EgressDeniedException.Behind(e) is { } denied)
        {
            throw new ProviderAuthException(FailureType.Configuration, $"The token endpoint was not called: {denied.Message}");
        }
        catch (HttpRequestException e)
        {
            throw new ProviderAuthException(FailureType.Provider, $"The token endpoint could not be reached: {e.HttpRequestError}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                throw new ProviderAuthException(status >= 500 ? FailureType.Provider : FailureType.Configuration,
                    $"The token endpoint refused the client credentials (HTTP {status}).");
            }

            var token = await response.Content.ReadFromJsonAsync<JsonElement>(cancellation);
            if (!token.TryGetProperty("access_token", out var accessToken) || accessToken.GetString() is not { Length: > 0 } value)
                throw new ProviderAuthException(FailureType.Provider, "The token endpoint answered without an access_token.");

            var lifetime = token.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.FromHours(1);
            if (lifetime > ExpiryMargin) cache.Set(key, value, lifetime - ExpiryMargin);
            return value;
        }
    }
}
