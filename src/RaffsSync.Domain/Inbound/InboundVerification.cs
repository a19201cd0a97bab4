using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Inbound;

/// <summary>Whether a push verified; a refusal says why, for the log (the caller is told only that it did not verify).</summary>
public sealed record InboundVerdict(bool Verified, string? Reason = null)
{
    public static readonly InboundVerdict Accepted = new(true);

    public static InboundVerdict Refused(string reason) => new(false, reason);
}

/// <summary>
/// Checks a provider's push against its signature scheme and the connection's credentials. Every comparison of a
/// secret runs in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>); a credential the connection
/// lacks refuses the push.
/// </summary>
public static class InboundVerification
{
    public const string AuthorizationHeader = "Authorization";

    /// <param name="header">A request header's value by name (null when absent).</param>
    /// <param name="body">The raw body, byte for byte as received.</param>
    /// <param name="credentials">The connection's credentials, opened.</param>
    public static InboundVerdict Verify(SignatureScheme scheme, Func<string, string?> header, ReadOnlySpan<byte> body,
        IReadOnlyDictionary<string, string> credentials, DateTimeOffset now) => scheme.Type switch
    {
        SignatureScheme.None => InboundVerdict.Accepted,
        SignatureScheme.HmacSha256 => VerifyHmac(scheme, header, body, credentials, now),
        SignatureScheme.Token => VerifyToken(scheme, header, credentials),
        SignatureScheme.Basic => VerifyBasic(scheme, header(AuthorizationHeader), credentials),
        _ => InboundVerdict.Refused($"unknown signature type '{scheme.Type}'")
    };

    private static InboundVerdict VerifyHmac(SignatureScheme scheme, Func<string, string?> header, ReadOnlySpan<byte> body,
        IReadOnlyDictionary<string, string> credentials, DateTimeOffset now)
    {
        if (Credential(credentials, scheme.EffectiveSecret) is not { } secret) return MissingCredential(scheme.EffectiveSecret);
        if (Presented(scheme, header) is not { } presented) return InboundVerdict.Refused($"no {scheme.Header} header, or one without the prefix");

        string? timestamp = null;
        if (scheme.TimestampHeader is { } timestampHeader)
        {
            timestamp = header(timestampHeader)?.Trim();
            if (CheckTimestamp(timestamp, now, scheme.EffectiveTolerance) is { } stale) return InboundVerdict.Refused(stale);
        }

        if (Decode(presented, scheme.EffectiveEncoding) is not { } signature)
            return InboundVerdict.Refused($"the signature is not {scheme.EffectiveEncoding}");

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), SignedContent(scheme.EffectiveSignedContent, body, timestamp));
        return CryptographicOperations.FixedTimeEquals(expected, signature)
            ? InboundVerdict.Accepted
            : InboundVerdict.Refused("the signature does not match");
    }

    private static InboundVerdict VerifyToken(SignatureScheme scheme, Func<string, string?> header, IReadOnlyDictionary<string, string> credentials)
    {
        if (Credential(credentials, scheme.EffectiveSecret) is not { } token) return MissingCredential(scheme.EffectiveSecret);
        if (Presented(scheme, header) is not { } presented) return InboundVerdict.Refused($"no {scheme.Header} header, or one without the prefix");
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(presented))
            ? InboundVerdict.Accepted
            : InboundVerdict.Refused("the token does not match");
    }

    private static InboundVerdict VerifyBasic(SignatureScheme scheme, string? authorization, IReadOnlyDictionary<string, string> credentials)
    {
        if (Credential(credentials, scheme.EffectiveUsername) is not { } username) return MissingCredential(scheme.EffectiveUsername);
        if (Credential(credentials, scheme.EffectivePassword) is not { } password) return MissingCredential(scheme.EffectivePassword);
        if (ParseBasic(authorization) is not var (presentedUser, presentedPassword))
            return InboundVerdict.Refused("no Authorization: Basic header, or one that is not base64 of user:password");

        // Both compared whatever the first gives, so the time taken says nothing about which one was wrong.
        var userMatches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(username), Encoding.UTF8.GetBytes(presentedUser));
        var passwordMatches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(presentedPassword));
        return userMatches & passwordMatches ? InboundVerdict.Accepted : InboundVerdict.Refused("the user name or password does not match");
    }

    /// <summary><c>Authorization: Basic base64(user:password)</c> (RFC 7617): the pair, or null when it is not one.</summary>
    public static (string User, string Password)? ParseBasic(string? authorization)
    {
        const string scheme = "Basic ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var encoded = authorization[scheme.Length..].Trim();
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, buffer, out var length)) return null;
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':');
        return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
    }

    /// <summary>Why a Unix-seconds timestamp is refused (absent, not a number, too old or too far ahead), or null when it is within tolerance.</summary>
    public static string? CheckTimestamp(string? timestamp, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(timestamp)) return "no timestamp header";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return "the timestamp is not Unix seconds";
        var skew = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (skew > tolerance) return $"the timestamp is {skew.TotalSeconds:0} s old, more than the {tolerance.TotalSeconds:0} s allowed";
        if (-skew > tolerance) return $"the timestamp is {-skew.TotalSeconds:0} s ahead, more than the {tolerance.TotalSeconds:0} s allowed";
        return null;
    }

    /// <summary>The bytes a signature covers: the template with <c>{body}</c> as the raw body and <c>{timestamp}</c> as sent.</summary>
    public static byte[] SignedContent(string template, ReadOnlySpan<byte> body, string? timestamp)
    {
        var content = new List<byte>(body.Length + template.Length + 16);
        var rest = template.AsSpan();
        while (rest.Length > 0)
        {
            var next = rest.IndexOf('{');
            if (next < 0)
            {
                content.AddRange(Encoding.UTF8.GetBytes(rest.ToString()));
                break;
            }
            content.AddRange(Encoding.UTF8.GetBytes(rest[..next].ToString()));
            rest = rest[next..];
            if (rest.StartsWith(SignatureScheme.BodyPlaceholder))
            {
                content.AddRange(body.ToArray());
                rest = rest[SignatureScheme.BodyPlaceholder.Length..];
            }
            else if (rest.StartsWith(SignatureScheme.TimestampPlaceholder))
            {
                content.AddRange(Encoding.UTF8.GetBytes(timestamp ?? ""));
                rest = rest[SignatureScheme.TimestampPlaceholder.Length..];
            }
            else
            {
                content.Add((byte)'{');
                rest = rest[1..];
            }
        }
        return [.. content];
    }

    /// <summary>The header's value without the scheme's prefix; null when the header is absent or lacks the prefix.</summary>
    private static string? Presented(SignatureScheme scheme, Func<string, string?> header)
    {
        var value = scheme.Header is null ? null : header(scheme.Header)?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        if (scheme.Prefix is { Length: > 0 } prefix)
            return value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..].Trim() : null;
        return value;
    }

    private static byte[]? Decode(string signature, string encoding)
    {
        if (encoding == SignatureScheme.Base64)
        {
            var buffer = new byte[signature.Length];
            return Convert.TryFromBase64String(signature, buffer, out var length) ? buffer[..length] : null;
        }
        try
        {
            return Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Credential(IReadOnlyDictionary<string, string> credentials, string name) =>
        credentials.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static InboundVerdict MissingCredential(string name) =>
        InboundVerdict.Refused($"the connection has no '{name}' credential to verify with");
}
