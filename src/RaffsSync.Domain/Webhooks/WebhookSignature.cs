using System.Security.Cryptography;
using System.Text;

namespace RaffsSync.Domain.Webhooks;

/// <summary>
/// Standard Webhooks signing: a secret is <c>whsec_</c> and the base64 of its key bytes; a signature is
/// <c>v1,</c> and the base64 HMAC-SHA256 of <c>{webhook-id}.{webhook-timestamp}.{body}</c>.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const int SecretBytes = 32;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    public static byte[] KeyOf(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[SecretPrefix.Length..])
            : throw new ArgumentException("not a whsec_ secret", nameof(secret));

    public static string Sign(string secret, string messageId, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}")));

    /// <summary>The <c>webhook-signature</c> header: one signature per secret in force, space-separated.</summary>
    public static string Header(IEnumerable<string> secrets, string messageId, long timestamp, string body) =>
        string.Join(' ', secrets.Select(s => Sign(s, messageId, timestamp, body)));

    /// <summary>A keyed-free fingerprint to tell secrets apart in events: the first 16 hex digits of SHA-256 of the key.</summary>
    public static string Fingerprint(string secret) => Convert.ToHexStringLower(SHA256.HashData(KeyOf(secret)))[..16];
}
