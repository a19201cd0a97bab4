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
            .Select(k => new SymmetricSecurityKey(Convert.FromBase64String(k.Key)) { KeyId = k.Kid })
            .ToList();
        return configured.Count > 0
            ? configured
            : [new SymmetricSecurityKey(vault.DeriveKey("raffssync/token-signing/v1")) { KeyId = "derived-v1" }];
    });

    public TokenSettings Settings => options.Value;

    public (string Token, int ExpiresIn) Issue(OAuthClient client, IReadOnlyList<string> scopes)
    {
        var now = clock.GetUtcNow();
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
            Expires = (now + Settings.Lifetime).UtcDateTime,
            TokenType = "at+jwt",
            Claims = claims,
            SigningCredentials = new SigningCredentials(_keys.Value[0], SecurityAlgorithms.HmacSha256)
        });
        return (token, (int)Settings.Lifetime.TotalSeconds);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Settings.Issuer,
        ValidAudience = Settings.Audience,
        IssuerSigningKeys = _keys.Value,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidTypes = ["at+jwt"],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = Settings.ClockSkew,
        NameClaimType = "client_id"
    };

    /// <summary>Turns a validated token into the caller claims the rest of the API reads.</summary>
    public static ClaimsIdentity CallerIdentity(ClaimsPrincipal token)
    {
        var identity = new ClaimsIdentity("AccessToken", CallerClaims.KeyId, null);
        var clientId = token.FindFirstValue("client_id") ?? "";
        identity.AddClaim(new Claim(CallerClaims.KeyId, clientId));
        foreach (var type in new[] { CallerClaims.CallerClass, CallerClaims.Environment, CallerClaims.Customer, CallerClaims.Location, CallerClaims.Provider })
            identity.AddClaims(token.FindAll(type).Select(c => new Claim(type, c.Value)));
        identity.AddClaims((token.FindFirstValue("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => new Claim(CallerClaims.Scope, s)));
        return identity;
    }
}
