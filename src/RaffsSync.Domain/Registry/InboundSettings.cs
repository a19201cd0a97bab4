using System.Text.Json.Serialization;
using System.Xml;

namespace RaffsSync.Domain.Registry;

// A provider's `inbound` object: how events it pushes to POST /api/v1/inbound/{provider}/{connection_id} are verified and
// read. The XML comments are the schema's descriptions in the OpenAPI document. Members are stored as written; the
// Effective* members give the defaults.

/// <summary>
/// How the provider pushes events to <c>POST /api/v1/inbound/{provider}/{connection_id}</c>: how a push is verified, where
/// its event type and event id are, and how long a repeated event id is ignored.
/// </summary>
/// <param name="Signature">How a push is verified (required). The connection's credentials hold the secret.</param>
/// <param name="EventType">Where the event type is: <c>header:X-Event-Type</c> (a request header) or a JMESPath expression over the JSON body; default <c>type</c>.</param>
/// <param name="EventId">Where the provider's id of the event is, in the same forms; default <c>id</c>. A push whose id the same connection received within <c>dedupe_window</c> is answered 200 and stored again never; a push without one is never deduplicated.</param>
/// <param name="DedupeWindow">How long an event id is remembered, as an ISO 8601 duration; default P7D.</param>
public sealed record InboundSettings(
    SignatureScheme? Signature = null,
    string? EventType = null,
    string? EventId = null,
    string? DedupeWindow = null)
{
    public const string DefaultEventType = "type";
    public const string DefaultEventId = "id";
    public static readonly TimeSpan DefaultDedupeWindow = TimeSpan.FromDays(7);

    /// <summary>The shorthand <c>inbound_signature</c> value: <c>hmac-sha256:&lt;Header&gt;</c>.</summary>
    public const string ShorthandPrefix = "hmac-sha256:";

    [JsonIgnore] public string EffectiveEventType => EventType ?? DefaultEventType;

    [JsonIgnore] public string EffectiveEventId => EventId ?? DefaultEventId;

    [JsonIgnore] public TimeSpan EffectiveDedupeWindow => DedupeWindow is null ? DefaultDedupeWindow : XmlConvert.ToTimeSpan(DedupeWindow);

    /// <summary>
    /// What the shorthand <c>inbound_signature: "hmac-sha256:X-Signature"</c> stands for when a provider has no
    /// <c>inbound</c> object: HMAC-SHA256 of the raw body, hex, in that header; event type and id at the defaults.
    /// Null when the shorthand is absent or not of that form.
    /// </summary>
    public static InboundSettings? FromShorthand(string? inboundSignature) =>
        inboundSignature is not null && inboundSignature.StartsWith(ShorthandPrefix, StringComparison.Ordinal)
        && inboundSignature[ShorthandPrefix.Length..] is { Length: > 0 } header
            ? new InboundSettings(new SignatureScheme(SignatureScheme.HmacSha256, Header: header))
            : null;
}

/// <summary>How a push is verified. Only <c>type</c> is required, and the header for <c>hmac_sha256</c> and <c>token</c>.</summary>
/// <param name="Type"><c>hmac_sha256</c> (an HMAC-SHA256 signature in a header), <c>token</c> (a shared token in a header), <c>basic</c> (HTTP Basic) or <c>none</c> (the built-in sandbox provider only).</param>
/// <param name="Header"><c>hmac_sha256</c> and <c>token</c> (required): the request header that carries the signature or the token.</param>
/// <param name="Encoding"><c>hmac_sha256</c>: how the signature is written, <c>hex</c> (default, any case) or <c>base64</c>.</param>
/// <param name="Prefix"><c>hmac_sha256</c> and <c>token</c>: text the header value starts with, removed before comparing (<c>sha256=</c>, <c>Bearer </c>); a value without it is refused.</param>
/// <param name="SignedContent"><c>hmac_sha256</c>: what is signed, a template over <c>{body}</c> (the raw body, byte for byte) and <c>{timestamp}</c> (the timestamp header's value), such as <c>{timestamp}.{body}</c>; default <c>{body}</c>.</param>
/// <param name="TimestampHeader"><c>hmac_sha256</c>: the header that carries the push's time in Unix seconds. When set, a push more than <c>tolerance</c> before or after now is refused. Required when <c>signed_content</c> reads <c>{timestamp}</c>.</param>
/// <param name="Tolerance">With <c>timestamp_header</c>: how far the push's time may be from now, either way, as an ISO 8601 duration; default PT5M.</param>
/// <param name="Secret"><c>hmac_sha256</c> and <c>token</c>: the name of the connection credential that holds the secret or the token; default <c>webhook_secret</c>. A connection without it refuses every push.</param>
/// <param name="Username"><c>basic</c>: the name of the connection credential that holds the user name; default <c>webhook_username</c>.</param>
/// <param name="Password"><c>basic</c>: the name of the connection credential that holds the password; default <c>webhook_password</c>.</param>
public sealed record SignatureScheme(
    string Type,
    string? Header = null,
    string? Encoding = null,
    string? Prefix = null,
    string? SignedContent = null,
    string? TimestampHeader = null,
    string? Tolerance = null,
    string? Secret = null,
    string? Username = null,
    string? Password = null)
{
    public const string HmacSha256 = "hmac_sha256", Token = "token", Basic = "basic", None = "none";
    public const string Hex = "hex", Base64 = "base64";
    public const string BodyPlaceholder = "{body}", TimestampPlaceholder = "{timestamp}";
    public const string DefaultSecret = "webhook_secret", DefaultUsername = "webhook_username", DefaultPassword = "webhook_password";
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlyList<string> Types = [HmacSha256, Token, Basic, None];
    public static readonly IReadOnlyList<string> Encodings = [Hex, Base64];

    [JsonIgnore] public string EffectiveEncoding => Encoding ?? Hex;
    [JsonIgnore] public string EffectiveSignedContent => SignedContent ?? BodyPlaceholder;
    [JsonIgnore] public TimeSpan EffectiveTolerance => Tolerance is null ? DefaultTolerance : XmlConvert.ToTimeSpan(Tolerance);
    [JsonIgnore] public string EffectiveSecret => Secret ?? DefaultSecret;
    [JsonIgnore] public string EffectiveUsername => Username ?? DefaultUsername;
    [JsonIgnore] public string EffectivePassword => Password ?? DefaultPassword;
}
