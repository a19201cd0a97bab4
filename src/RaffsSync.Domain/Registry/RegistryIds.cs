using System.Security.Cryptography;
using System.Text;

namespace RaffsSync.Domain.Registry;

/// <summary>
/// Stream ids for registry entries, derived from their natural keys (RFC 9562 name-based,
/// SHA-1) so the same provider or route always lands in the same stream.
/// </summary>
public static class RegistryIds
{
    private static readonly Guid Namespace = new("5b0f6f43-8a0e-4d6c-9a57-2f1c8e4b7d21");

    public static Guid Provider(string key) => NameBased($"provider:{key}");

    public static Guid Route(string provider, string routeKey) => NameBased($"route:{provider}:{routeKey}");

    internal static Guid NameBased(string name)
    {
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetByteCount(name)];
        Namespace.TryWriteBytes(input[..16], bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input[16..]);

        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);

        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
