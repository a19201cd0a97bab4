using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Domain.Connections;

namespace RaffsSync.Api.Connections;

/// <summary>
/// Encrypts connection credentials at rest (AES-256-GCM, bound to the connection id) and
/// fingerprints them (HMAC-SHA256), both with keys derived from <c>RaffsSync:Secrets:Key</c>
/// (32 random bytes, base64). On the local development cluster (Development, or
/// <c>RaffsSync:LocalPostgres:Enabled</c>) a key is generated into <c>.local/secrets.key</c>; anywhere
/// else the key must be configured.
/// </summary>
public sealed class SecretVault(IConfiguration configuration, DatabaseConnection database)
{
    public const string ConfigurationKey = "RaffsSync:Secrets:Key";
    private const string Format = "v1";

    /// <summary>A key for another purpose (token signing), derived from the same master key.</summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, MasterKey(configuration, database), 32, info: System.Text.Encoding.UTF8.GetBytes(purpose));

    private readonly Lazy<(byte[] Encryption, byte[] Fingerprint)> _keys = new(() =>
    {
        var master = MasterKey(configuration, database);
        return (HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "raffssync/connection-secrets/v1"u8.ToArray()),
                HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "raffssync/fingerprints/v1"u8.ToArray()));
    });

    public string Seal(Guid connectionId, IReadOnlyDictionary<string, string> credentials)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(credentials);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(_keys.Value.Encryption, tag.Length))
            aes.Encrypt(nonce, plaintext, ciphertext, tag, connectionId.ToByteArray());
        return $"{Format}.{Convert.ToBase64String([.. nonce, .. tag, .. ciphertext])}";
    }

    public IReadOnlyDictionary<string, string> Open(Guid connectionId, string sealedCredentials)
    {
        var parts = sealedCredentials.Split('.', 2);
        if (parts is not [Format, var payload]) throw new CryptographicException("Unknown sealed credentials format.");

        var bytes = Convert.FromBase64String(payload);
        var nonce = bytes.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        var tag = bytes.AsSpan(nonce.Length, AesGcm.TagByteSizes.MaxSize);
        var ciphertext = bytes.AsSpan(nonce.Length + tag.Length);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(_keys.Value.Encryption, tag.Length))
            aes.Decrypt(nonce, ciphertext, tag, plaintext, connectionId.ToByteArray());
        return JsonSerializer.Deserialize<Dictionary<string, string>>(plaintext)!;
    }

    public IReadOnlyList<CredentialFingerprint> Fingerprints(IReadOnlyDictionary<string, string> credentials) =>
        credentials.OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new CredentialFingerprint(c.Key,
                Convert.ToHexStringLower(HMACSHA256.HashData(_keys.Value.Fingerprint, Encoding.UTF8.GetBytes($"{c.Key}\0{c.Value}")))[..16]))
            .ToList();

    private static byte[] MasterKey(IConfiguration configuration, DatabaseConnection database)
    {
        var configured = configuration[ConfigurationKey];
        if (!string.IsNullOrWhiteSpace(configured)) return Decode(configured);

        _ = database.ConnectionString; // decides whether the local cluster is in use
        if (database.LocalDirectory is null)
            throw new InvalidOperationException(
                $"{ConfigurationKey} is not configured. Set it (environment: RaffsSync__Secrets__Key) to 32 random bytes in base64, " +
                "for example the output of 'openssl rand -base64 32', and keep it: stored credentials cannot be read without it. " +
                "(A key is generated into the local cluster's directory only for the local development cluster.)");

        var file = LocalFiles.PathFor(database.LocalDirectory, "secrets.key");
        if (!File.Exists(file)) LocalFiles.WritePrivate(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return Decode(File.ReadAllText(file).Trim());
    }

    private static byte[] Decode(string base64)
    {
        var key = Convert.FromBase64String(base64);
        return key.Length == 32 ? key : throw new InvalidOperationException($"{ConfigurationKey} must be 32 bytes (base64), not {key.Length}.");
    }
}

/// <summary>A connection's credentials, sealed by <see cref="SecretVault"/>. Never projected from events.</summary>
public sealed class ConnectionSecret
{
    public Guid Id { get; set; }
    public string Sealed { get; set; } = "";
}
