using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Access;

public sealed record RegisteredClientView(string ClientId, string ClientSecret, string Name, IReadOnlyList<string> Scopes,
    string CallerClass, string? CustomerId, IReadOnlyList<string> Locations, string Environment, DateTimeOffset? ExpiresAt, string? Provider);

/// <summary>
/// OAuth2 client credentials (RFC 6749 section 4.4): trade id and secret for access tokens. Clients are registered by
/// <see cref="RegisterOAuthClientEndpoint"/> and revoked by <see cref="RevokeOAuthClientEndpoint"/>.
/// </summary>
public static class OAuthEndpoints
{
    /// <summary>
    /// The token endpoint: form-encoded as RFC 6749 asks (JSON accepted too), client authentication
    /// by HTTP Basic or in the body. Errors are RFC 6749 section 5.2 bodies, not problem details.
    /// </summary>
    [AllowAnonymous]
    [WolverinePost("/api/v1/oauth/token")]
    public static async Task<IResult> Token(HttpContext context, IQuerySession session, AccessTokens tokens, TimeProvider clock,
        CancellationToken cancellation)
    {
        context.Response.Headers.CacheControl = "no-store";
        var form = await ReadParametersAsync(context.Request, cancellation);
        if (form is null) return Error(400, "invalid_request", "Send application/x-www-form-urlencoded (or JSON) parameters.");
        if (form.GetValueOrDefault("grant_type") != "client_credentials")
            return Error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");

        var (clientId, secret) = BasicCredentials(context.Request) ?? (form.GetValueOrDefault("client_id"), form.GetValueOrDefault("client_secret"));
        var client = clientId is null ? null
            : await session.Query<OAuthClient>().FirstOrDefaultAsync(c => c.ClientId == clientId, cancellation);
        // The same answer for an unknown client, a wrong secret and a revoked or expired client: nothing to enumerate.
        if (client is not { RevokedAt: null } || secret is null || !client.Verify(secret) || client.IsExpiredAt(clock.GetUtcNow()))
        {
            if (BasicCredentials(context.Request) is not null) context.Response.Headers.WWWAuthenticate = "Basic realm=\"raffssync\"";
            return Error(401, "invalid_client", "Client authentication failed.");
        }

        if (client.GrantScopes(form.GetValueOrDefault("scope")) is not { } scopes)
            return Error(400, "invalid_scope", "The requested scope exceeds what the client holds.");

        var (token, expiresIn) = tokens.Issue(client, scopes);
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = expiresIn, ["scope"] = string.Join(' ', scopes)
        });
    }

    private static async Task<Dictionary<string, string>?> ReadParametersAsync(HttpRequest request, CancellationToken cancellation)
    {
        if (request.HasFormContentType)
            return (await request.ReadFormAsync(cancellation)).ToDictionary(f => f.Key, f => f.Value.ToString());
        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true) return null;
        try
        {
            var json = await JsonSerializer.DeserializeAsync<Dictionary<string, JsonElement>>(request.Body, cancellationToken: cancellation);
            return json?.ToDictionary(p => p.Key, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string? Id, string? Secret)? BasicCredentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim())).Split(':', 2);
            return pair.Length == 2 ? (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1])) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
