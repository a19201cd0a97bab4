using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Access;

/// <summary>A registered OAuth client: the one answer that carries its secret.</summary>
/// <param name="ClientId">The client's id (<c>rsc_...</c>).</param>
/// <param name="ClientSecret">The client's secret (<c>rss_...</c>). It is shown here only, and cannot be read again: store it now.</param>
/// <param name="Name">Its label.</param>
/// <param name="Scopes">The scopes its tokens may hold.</param>
/// <param name="CallerClass"><c>customer</c>, <c>internal</c> or <c>partner</c>.</param>
/// <param name="CustomerId">The customer it belongs to; null for internal clients.</param>
/// <param name="Locations">The tenant ids it acts for; empty means every location of its customer.</param>
/// <param name="Environment"><c>sandbox</c> or <c>production</c>.</param>
/// <param name="ExpiresAt">When it stops getting tokens and its tokens stop working; null never.</param>
/// <param name="Provider">The provider a partner client belongs to; null for other classes.</param>
public sealed record RegisteredClientView(string ClientId, string ClientSecret, string Name, IReadOnlyList<string> Scopes,
    string CallerClass, string? CustomerId, IReadOnlyList<string> Locations, string Environment, DateTimeOffset? ExpiresAt, string? Provider);

/// <summary>A token request (RFC 6749 section 4.4.2).</summary>
/// <param name="GrantType">Always <c>client_credentials</c>.</param>
/// <param name="ClientId">The client's id (<c>rsc_...</c>). Leave it out when sending the id and secret as HTTP Basic credentials instead.</param>
/// <param name="ClientSecret">The client's secret (<c>rss_...</c>). Leave it out when sending the id and secret as HTTP Basic credentials instead.</param>
/// <param name="Scope">The scopes the token is for, space-separated, each held by the client; left out, every scope the client holds.</param>
public sealed record TokenRequest(
    [property: Required, RegularExpression("^client_credentials$")] string? GrantType = null,
    [property: MaxLength(IdentifierLimits.Key)] string? ClientId = null,
    string? ClientSecret = null,
    string? Scope = null) : IExample<TokenRequest>
{
    public const string ClientCredentials = "client_credentials";

    public static TokenRequest Example => new(ClientCredentials, "rsc_0193a3f4c2b87d10a5e6f7a8b9c0d1e2",
        "rss_3x4mpl3S3cr3tN0tR34lAbCdEfGhIjKlMnOpQr", $"{Scopes.DispatchesWrite} {Scopes.DispatchesRead}");

    public static TokenRequest From(IReadOnlyDictionary<string, string> parameters) => new(parameters.GetValueOrDefault("grant_type"),
        parameters.GetValueOrDefault("client_id"), parameters.GetValueOrDefault("client_secret"), parameters.GetValueOrDefault("scope"));
}

/// <summary>An access token (RFC 6749 section 5.1).</summary>
/// <param name="AccessToken">The token, a signed JWT (RFC 9068) to treat as opaque: send it as a bearer token, in <c>Authorization: Bearer</c>.</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
/// <param name="ExpiresIn">Seconds until the token expires: 900, or fewer when the client expires sooner.</param>
/// <param name="Scope">The scopes the token holds, space-separated.</param>
public sealed record IssuedToken(string AccessToken, string TokenType, int ExpiresIn, string Scope);

/// <summary>An error of the token endpoint (RFC 6749 section 5.2).</summary>
/// <param name="Error">
/// <c>invalid_request</c> (the body is not form-encoded or JSON), <c>unsupported_grant_type</c> (not <c>client_credentials</c>),
/// <c>invalid_scope</c> (a scope the client does not hold) or <c>invalid_client</c> (client authentication failed).
/// </param>
/// <param name="ErrorDescription">For humans; may change.</param>
public sealed record OAuthError(OAuthErrorCode Error, string ErrorDescription);

public enum OAuthErrorCode { InvalidRequest, InvalidClient, InvalidScope, UnsupportedGrantType }

/// <summary>
/// OAuth2 client credentials (RFC 6749 section 4.4): trade id and secret for access tokens. Clients are registered by
/// <see cref="RegisterOAuthClientEndpoint"/> and revoked by <see cref="RevokeOAuthClientEndpoint"/>.
/// The endpoint's own refusals are RFC 6749 section 5.2 bodies, not problem details: OAuth client libraries read those.
/// </summary>
public static class OAuthEndpoints
{
    private const string FormContent = "application/x-www-form-urlencoded";

    /// <summary>Get an access token</summary>
    /// <remarks>
    /// The OAuth2 client credentials grant (RFC 6749 section 4.4). Send `grant_type=client_credentials`, form-encoded
    /// (JSON is accepted too), and authenticate the client with HTTP Basic (`Authorization: Basic base64(client_id:client_secret)`)
    /// or with `client_id` and `client_secret` in the body. The token holds the requested `scope` (every scope of the client
    /// when left out) and the client's class, customer, provider and locations; send it as a bearer token (`Authorization: Bearer`)
    /// until `expires_in` seconds have passed. Answers carry `Cache-Control: no-store`.
    ///
    /// The endpoint's own refusals are RFC 6749 error bodies (`application/json`, `{"error", "error_description"}`):
    /// 400 `invalid_request`, `unsupported_grant_type` or `invalid_scope`, and 401 `invalid_client` for an unknown client,
    /// a wrong secret and a revoked or expired client alike (with `WWW-Authenticate: Basic` when HTTP Basic was used).
    /// Every other error (a body the input checks refuse, too large a body, an unavailable database) is a problem
    /// (`application/problem+json`) that also carries RFC 6749's `error` (`invalid_request`, `temporarily_unavailable` or
    /// `server_error`) and `error_description` members.
    /// </remarks>
    [AllowAnonymous]
    [DocumentedBody<TokenRequest>(nameof(TokenRequest), FormContent, "application/json")]
    [ProducesResponseType<OAuthError>(StatusCodes.Status400BadRequest, "application/json",
        Description = "`invalid_request`, `unsupported_grant_type` or `invalid_scope` (RFC 6749 error body); or a problem for a body the input checks refuse (`validation_failed`, `invalid_json`, with `error: invalid_request`).")]
    [ProducesResponseType<OAuthError>(StatusCodes.Status401Unauthorized, "application/json",
        Description = "`invalid_client`: client authentication failed (RFC 6749 error body). The same for an unknown client, a wrong secret and a revoked or expired client.")]
    [ProblemResponses(400, 413)]
    [WolverinePost("/api/v1/oauth/token", OperationId = "issueToken")]
    public static async Task<Results<Ok<IssuedToken>, JsonHttpResult<OAuthError>>> Token(HttpContext context, IQuerySession session,
        AccessTokens tokens, TimeProvider clock, CancellationToken cancellation)
    {
        context.Response.Headers.CacheControl = "no-store";
        var form = await ReadParametersAsync(context.Request, cancellation);
        if (form is null) return Error(400, OAuthErrorCode.InvalidRequest, "Send application/x-www-form-urlencoded (or JSON) parameters.");
        var request = TokenRequest.From(form);
        if (request.GrantType != TokenRequest.ClientCredentials)
            return Error(400, OAuthErrorCode.UnsupportedGrantType, "Only grant_type=client_credentials is supported.");

        var (clientId, secret) = BasicCredentials(context.Request) ?? (request.ClientId, request.ClientSecret);
        var client = clientId is null ? null
            : await session.Query<OAuthClient>().FirstOrDefaultAsync(c => c.ClientId == clientId, cancellation);
        // The same answer for an unknown client, a wrong secret and a revoked or expired client: nothing to enumerate.
        if (client is not { RevokedAt: null } || secret is null || !client.Verify(secret) || client.IsExpiredAt(clock.GetUtcNow()))
        {
            if (BasicCredentials(context.Request) is not null) context.Response.Headers.WWWAuthenticate = "Basic realm=\"raffssync\"";
            return Error(401, OAuthErrorCode.InvalidClient, "Client authentication failed.");
        }

        if (client.GrantScopes(request.Scope) is not { } scopes)
            return Error(400, OAuthErrorCode.InvalidScope, "The requested scope exceeds what the client holds.");

        var (token, expiresIn) = tokens.Issue(client, scopes);
        return TypedResults.Ok(new IssuedToken(token, "Bearer", expiresIn, string.Join(' ', scopes)));
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

    private static JsonHttpResult<OAuthError> Error(int status, OAuthErrorCode error, string description) =>
        TypedResults.Json(new OAuthError(error, description), statusCode: status);
}
