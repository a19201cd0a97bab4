using System.Security.Cryptography;
using System.Text;
using RaffsSync.Domain.Inbound;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Tests;

public sealed class InboundVerificationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private const string Secret = "whk_test_secret";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"order.created"}""");
    private static readonly Dictionary<string, string> Credentials = new() { ["webhook_secret"] = Secret };

    private static readonly SignatureScheme HexOverBody = new(SignatureScheme.HmacSha256, "X-Signature");

    private static readonly SignatureScheme Base64WithTimestamp = new(SignatureScheme.HmacSha256, "X-Signature", Encoding: "base64",
        SignedContent: "{timestamp}.{body}", TimestampHeader: "X-Timestamp");

    // The test's own HMAC, not the verifier's: what a provider would compute.
    private static byte[] Hmac(string secret, byte[] content) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), content);

    private static byte[] Concat(string prefix, byte[] body) => [.. Encoding.UTF8.GetBytes(prefix), .. body];

    private static InboundVerdict Verify(SignatureScheme scheme, Dictionary<string, string> headers, byte[]? body = null,
        Dictionary<string, string>? credentials = null) =>
        InboundVerification.Verify(scheme, name => headers.GetValueOrDefault(name), body ?? Body, credentials ?? Credentials, Now);

    [Fact]
    public void an_hmac_of_the_raw_body_in_hex_verifies_in_either_case()
    {
        var hex = Convert.ToHexStringLower(Hmac(Secret, Body));

        Assert.True(Verify(HexOverBody, new() { ["X-Signature"] = hex }).Verified);
        Assert.True(Verify(HexOverBody, new() { ["X-Signature"] = hex.ToUpperInvariant() }).Verified);
    }

    [Fact]
    public void a_wrong_secret_a_changed_body_a_missing_or_malformed_signature_are_refused()
    {
        var good = Convert.ToHexStringLower(Hmac(Secret, Body));

        Assert.False(Verify(HexOverBody, new() { ["X-Signature"] = Convert.ToHexStringLower(Hmac("other", Body)) }).Verified);
        Assert.False(Verify(HexOverBody, new() { ["X-Signature"] = good }, Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"order.paid"}""")).Verified);
        Assert.False(Verify(HexOverBody, new()).Verified);
        Assert.False(Verify(HexOverBody, new() { ["X-Signature"] = "not hex" }).Verified);
        Assert.False(Verify(HexOverBody, new() { ["X-Signature"] = good[..^2] }).Verified);
    }

    [Fact]
    public void a_prefix_is_required_and_stripped_before_comparing()
    {
        var scheme = HexOverBody with { Prefix = "sha256=" };
        var hex = Convert.ToHexStringLower(Hmac(Secret, Body));

        Assert.True(Verify(scheme, new() { ["X-Signature"] = "sha256=" + hex }).Verified);
        Assert.False(Verify(scheme, new() { ["X-Signature"] = hex }).Verified);
    }

    [Fact]
    public void a_base64_signature_over_the_timestamp_and_body_verifies_within_the_tolerance_either_way()
    {
        foreach (var skew in new[] { TimeSpan.Zero, TimeSpan.FromMinutes(-5), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(-299) })
        {
            var timestamp = (Now + skew).ToUnixTimeSeconds().ToString();
            var signature = Convert.ToBase64String(Hmac(Secret, Concat(timestamp + ".", Body)));

            Assert.True(Verify(Base64WithTimestamp, new() { ["X-Signature"] = signature, ["X-Timestamp"] = timestamp }).Verified, $"skew {skew}");
        }
    }

    [Theory]
    [InlineData(-301)] // five minutes and a second old
    [InlineData(301)] // as far in the future
    [InlineData(-86400)]
    public void a_timestamp_outside_the_tolerance_is_refused_even_when_correctly_signed(int seconds)
    {
        var timestamp = Now.AddSeconds(seconds).ToUnixTimeSeconds().ToString();
        var signature = Convert.ToBase64String(Hmac(Secret, Concat(timestamp + ".", Body)));

        var verdict = Verify(Base64WithTimestamp, new() { ["X-Signature"] = signature, ["X-Timestamp"] = timestamp });

        Assert.False(verdict.Verified);
        Assert.Contains(seconds < 0 ? "old" : "ahead", verdict.Reason);
    }

    [Fact]
    public void a_tolerance_of_its_own_applies()
    {
        var scheme = Base64WithTimestamp with { Tolerance = "PT30S" };
        var timestamp = Now.AddSeconds(-60).ToUnixTimeSeconds().ToString();
        var signature = Convert.ToBase64String(Hmac(Secret, Concat(timestamp + ".", Body)));

        Assert.False(Verify(scheme, new() { ["X-Signature"] = signature, ["X-Timestamp"] = timestamp }).Verified);
        Assert.True(Verify(scheme with { Tolerance = "PT2M" }, new() { ["X-Signature"] = signature, ["X-Timestamp"] = timestamp }).Verified);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")]
    public void a_missing_or_unreadable_timestamp_is_refused(string? timestamp)
    {
        var signature = Convert.ToBase64String(Hmac(Secret, Concat(timestamp + ".", Body)));
        var headers = new Dictionary<string, string> { ["X-Signature"] = signature };
        if (timestamp is not null) headers["X-Timestamp"] = timestamp;

        Assert.False(Verify(Base64WithTimestamp, headers).Verified);
    }

    [Fact]
    public void the_signed_content_is_the_raw_body_byte_for_byte()
    {
        byte[] notUtf8 = [0x7B, 0xFF, 0xFE, 0x7D];

        Assert.Equal((byte[])[.. "1700000000."u8.ToArray(), .. notUtf8, .. "!"u8.ToArray()],
            InboundVerification.SignedContent("{timestamp}.{body}!", notUtf8, "1700000000"));
        Assert.True(Verify(HexOverBody, new() { ["X-Signature"] = Convert.ToHexString(Hmac(Secret, notUtf8)) }, notUtf8).Verified);
    }

    [Fact]
    public void a_connection_without_the_secret_refuses_every_push()
    {
        var hex = Convert.ToHexStringLower(Hmac(Secret, Body));

        var verdict = Verify(HexOverBody, new() { ["X-Signature"] = hex }, credentials: new() { ["token"] = Secret });
        Assert.False(verdict.Verified);
        Assert.Contains("webhook_secret", verdict.Reason);
        Assert.False(Verify(HexOverBody, new() { ["X-Signature"] = hex }, credentials: new() { ["webhook_secret"] = "" }).Verified);
        // The credential the scheme names is the one used.
        Assert.True(Verify(HexOverBody with { Secret = "signing_key" }, new() { ["X-Signature"] = hex },
            credentials: new() { ["signing_key"] = Secret }).Verified);
    }

    [Fact]
    public void a_shared_token_must_match_exactly()
    {
        var scheme = new SignatureScheme(SignatureScheme.Token, "Authorization", Prefix: "Bearer ");

        Assert.True(Verify(scheme, new() { ["Authorization"] = "Bearer " + Secret }).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = "Bearer " + Secret + "x" }).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = Secret }).Verified);
        Assert.False(Verify(scheme, new()).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = "Bearer " + Secret }, credentials: new()).Verified);
    }

    [Fact]
    public void http_basic_needs_both_the_user_name_and_the_password()
    {
        var scheme = new SignatureScheme(SignatureScheme.Basic);
        var credentials = new Dictionary<string, string> { ["webhook_username"] = "grafterr", ["webhook_password"] = "p:ss" };
        string Basic(string pair) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));

        Assert.True(Verify(scheme, new() { ["Authorization"] = Basic("grafterr:p:ss") }, credentials: credentials).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = Basic("grafterr:wrong") }, credentials: credentials).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = Basic("other:p:ss") }, credentials: credentials).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = "Basic !!!" }, credentials: credentials).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = Basic("no-colon") }, credentials: credentials).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = "Bearer x" }, credentials: credentials).Verified);
        Assert.False(Verify(scheme, new() { ["Authorization"] = Basic("grafterr:p:ss") },
            credentials: new() { ["webhook_username"] = "grafterr" }).Verified);
    }

    [Fact]
    public void basic_credentials_parse_as_rfc_7617_says()
    {
        Assert.Equal(("ana", "a:b"), InboundVerification.ParseBasic("Basic " + Convert.ToBase64String("ana:a:b"u8.ToArray())));
        Assert.Equal(("ana", "x"), InboundVerification.ParseBasic("basic " + Convert.ToBase64String("ana:x"u8.ToArray())));
        Assert.Null(InboundVerification.ParseBasic(null));
        Assert.Null(InboundVerification.ParseBasic("Basic " + Convert.ToBase64String([0xFF, 0x3A, 0x41])));
    }

    [Fact]
    public void unsigned_pushes_pass_only_the_none_scheme()
    {
        Assert.True(Verify(new SignatureScheme(SignatureScheme.None), new(), credentials: new()).Verified);
        Assert.False(Verify(new SignatureScheme("rot13", "X"), new()).Verified);
    }
}
