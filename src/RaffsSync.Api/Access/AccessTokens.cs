using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RaffsSync.Api.Connections;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

/// <summary>
/// <c>RaffsSync:Tokens</c>. <c>SigningKeys</c> is a list of <c>{kid, key}</c> (key: 32+ random
/// bytes, base64); the first signs, all verify, so a new key goes first and the old one stays
/// until its tokens have expired. With none configured, one key is derived from the secrets key.
/// </summary>
public sealed class TokenSettings
{
    public string Issuer { get; set; } = "raffssync";
    public string Audience { get; set; } = "raffssync-api";
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
    public List<SigningKeySetting> SigningKeys { get; set; } = [];

    public sealed class SigningKeySetting
    {
        public string Kid { get; set; } = "";
        public string Key { get; set; } = "";
    }
}

/// <summary>Issues and describes the validation of RFC 9068 access tokens (JWT, HMAC-SHA256, <c>typ: at+jwt</c>).</summary>
public sealed class AccessTokens(IOptions<TokenSettings> options, SecretVault vault, TimeProvider clock)
{
    private readonly Lazy<IReadOnlyList<SymmetricSecurityKey>> _keys = new(() =>
    {
        var configured = options.Value.SigningKeys
            .Select(k => string.IsNullOrWhiteSpace(k.Kid)
                ? throw new InvalidOperationException("Every RaffsSync:Tokens:SigningKeys entry needs a Kid: tokens name the key that signed them.")
                : new SymmetricSecurityKey(Convert.FromBase64String(k.Key)) { KeyId = k.Kid })
            .ToList();
        return configured.Count > 0
            ? configured
            : [new SymmetricSecurityKey(vault.DeriveKey("raffssync/token-signing/v1")) { KeyId = "derived-v1" }];
    });

    public TokenSettings Settings => options.Value;

    public (string Token, int ExpiresIn) Issue(OAuthClient client, IReadOnlyList<string> scopes)
    {
        var now = clock.GetUtcNow();
        // A token never outlives the client it was issued to.
        var expires = client.ExpiresAt is { } clientExpires && clientExpires < now + Settings.Lifetime ? clientExpires : now + Settings.Lifetime;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = client.ClientId,
            ["client_id"] = client.ClientId,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["scope"] = string.Join(' ', scopes),
            [CallerClaims.CallerClass] = client.CallerClass.ToString().ToLowerInvariant(),
            [CallerClaims.Environment] = client.Environment.ToString().ToLowerInvariant()
        };
        if (client.CustomerId is not null) claims[CallerClaims.Customer] = client.CustomerId;
        if (client.Provider is not null) claims[CallerClaims.Provider] = client.Provider;
        if (client.Locations.Count > 0) claims[CallerClaims.Location] = client.Locations.ToArray();

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Settings.Issuer,
            Audience = Settings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = "at+jwt",
            Claims = claims,
            SigningCredentials = new SigningCredentials(_keys.Value[0], SecurityAlgorithms.HmacSha256)
        });
        return (token, (int)(expires - now).TotalSeconds);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Settings.Issuer,
        ValidAudience = Settings.Audience,
        IssuerSigningKeys = _keys.Value,
        // Only the key the token names: a missing or unknown kid is refused even when a listed key would verify it.
        TryAllIssuerSigningKeys = false,
        IssuerSigningKeyResolver = (_, _, kid, _) => string.IsNullOrEmpty(kid) ? [] : _keys.Value.Where(k => k.KeyId == kid),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidTypes = ["at+jwt"],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = Settings.ClockSkew,
        NameClaimType = "client_id"
    };

    /// <summary>
    /// Turns a validated token into the caller claims the rest of the API reads: the token's scopes,
    /// everything else from its client, so a token holds exactly its client's bounds (class,
    /// environment, customer, provider, expiry, and locations resolved like a key's).
    /// </summary>
    public static ClaimsIdentity CallerIdentity(ClaimsPrincipal token, OAuthClient client, IReadOnlyList<string> locations)
    {
        var identity = new ClaimsIdentity("AccessToken", CallerClaims.KeyId, null);
        identity.AddClaim(new Claim(CallerClaims.KeyId, client.ClientId));
        identity.AddClaim(new Claim(CallerClaims.CallerClass, client.CallerClass.ToString().ToLowerInvariant()));
        identity.AddClaim(new Claim(CallerClaims.Environment, client.Environment.ToString().ToLowerInvariant()));
        if (client.CustomerId is not null) identity.AddClaim(new Claim(CallerClaims.Customer, client.CustomerId));
        if (client.Provider is not null) identity.AddClaim(new Claim(CallerClaims.Provider, client.Provider));
        identity.AddClaims(locations.Select(l => new Claim(CallerClaims.Location, l)));
        identity.AddClaims(CallerClaims.Bounds(client.Locations, client.ExpiresAt));
        identity.AddClaims((token.FindFirstValue("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(client.Scopes.Contains).Select(s => new Claim(CallerClaims.Scope, s)));
        return identity;
    }
}
