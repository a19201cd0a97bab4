using System.Security.Cryptography;
using System.Text;

namespace RaffsSync.Api.WebConsole;

/// <summary>
/// A signed-in console user: the API key they signed in with (by id; the key itself is never kept) and
/// when the session ends. Stored by the SHA-256 of its token, so the table cannot be used to sign in.
/// </summary>
public sealed class ConsoleSession
{
    public string Id { get; set; } = "";
    public Guid KeyId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    public bool IsLiveAt(DateTimeOffset now) => now < ExpiresAt;
}

/// <summary>
/// Console session tokens: <c>rscs_</c> and 43 base64url characters (256 random bits). The browser holds one in an
/// HttpOnly cookie; the console's server sends it to the API as a bearer credential acting as the session's key.
/// </summary>
public static class ConsoleSessionToken
{
    public const string Prefix = "rscs_";
    private const int RandomBytes = 32;

    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(RandomBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool LooksLikeToken(string candidate) =>
        candidate.StartsWith(Prefix, StringComparison.Ordinal) && candidate.Length == Prefix.Length + 43
        && candidate.AsSpan(Prefix.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary><c>RaffsSync:Console</c>.</summary>
public sealed class ConsoleSettings
{
    /// <summary>How long a sign-in lasts. Short: the cookie is as good as the key for that long.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Proof that a request carrying a console session token comes from this process's console (its <see cref="ConsoleApi"/>),
/// not from someone who copied the cookie's value: outside /console a session token is accepted only with this header,
/// whose value is random per process and never leaves it.
/// </summary>
public static class ConsoleCallProof
{
    public const string HeaderName = "X-RaffsSync-Console-Proof";

    public static readonly string Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static bool IsPresentOn(HttpRequest request) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.Headers[HeaderName].ToString()), Encoding.UTF8.GetBytes(Value));
}
