using System.Security.Cryptography;
using System.Text;

namespace RaffsSync.Domain.Access;

/// <summary>
/// API key secrets: <c>rsk_test_</c> (sandbox) or <c>rsk_live_</c> (production) followed by
/// 40 random base62 characters (about 238 bits), so a fast SHA-256 is a safe way to store them.
/// </summary>
public static class ApiKeySecret
{
    public const string TestPrefix = "rsk_test_";
    public const string LivePrefix = "rsk_live_";
    private const int RandomLength = 40;
    private const int DisplayLength = 4;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Generate(ProviderEnvironment environment)
    {
        var prefix = environment == ProviderEnvironment.Production ? LivePrefix : TestPrefix;
        return prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);
    }

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The part of a key that is safe to show in lists: its prefix and first characters.</summary>
    public static string DisplayPrefix(string secret) =>
        secret[..Math.Min(secret.Length, LivePrefix.Length + DisplayLength)];

    public static ProviderEnvironment? EnvironmentOf(string secret) => secret switch
    {
        _ when secret.StartsWith(TestPrefix, StringComparison.Ordinal) => ProviderEnvironment.Sandbox,
        _ when secret.StartsWith(LivePrefix, StringComparison.Ordinal) => ProviderEnvironment.Production,
        _ => null
    };

    public static bool LooksLikeKey(string candidate) =>
        EnvironmentOf(candidate) is not null
        && candidate.Length == LivePrefix.Length + RandomLength
        && candidate.AsSpan(LivePrefix.Length).IndexOfAnyExcept(Alphabet) < 0;
}
