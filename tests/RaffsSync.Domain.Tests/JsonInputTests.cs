using System.Text;
using RaffsSync.Domain;
using RaffsSync.Domain.Audit;
using RaffsSync.Domain.Input;

namespace RaffsSync.Domain.Tests;

public sealed class JsonInputTests
{
    private static JsonInputProblem? Check(string json) => JsonInput.Check(Encoding.UTF8.GetBytes(json));

    private static string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels)) + "1" + new string('}', levels);

    [Theory]
    [InlineData("""{"a": 1}""")]
    [InlineData("""{"payload": {"lines": [{"sku": "ü漢字🙂"}, [1, 2, null]]}, "name": "Ana"}""")]
    [InlineData("""{"reason": "line one\nline two"}""")]
    public void ordinary_objects_pass(string json) => Assert.Null(Check(json));

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    public void a_body_must_be_an_object(string json) => Assert.Equal("not_an_object", Check(json)!.Error.Issue);

    [Theory]
    [InlineData("{")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{'a': 1}")]
    [InlineData("")]
    [InlineData("{} {}")]
    public void what_does_not_parse_is_unparseable(string json) => Assert.True(Check(json)!.Unparseable);

    [Fact]
    public void nesting_is_accepted_down_to_the_limit_and_refused_one_level_deeper()
    {
        Assert.Null(Check(Nested(JsonInput.MaxDepth)));
        var problem = Check(Nested(JsonInput.MaxDepth + 1))!;
        Assert.False(problem.Unparseable);
        Assert.Equal("too_deep", problem.Error.Issue);
        Assert.Equal(string.Join('.', Enumerable.Repeat("a", JsonInput.MaxDepth)), problem.Error.Field);
    }

    [Theory]
    [InlineData("""{"lines": [{"sku": "a"}, {"sku": "b\u0000"}]}""", "lines[1].sku", "nul_character")]
    [InlineData("""{"lines": [1, 2, "\ud800"]}""", "lines[2]", "invalid_unicode")]
    [InlineData("""{"a": {"\u0000": 1}}""", "a", "nul_character")]
    [InlineData("""{"a": {"b": "x\udc00"}}""", "a.b", "invalid_unicode")]
    public void nul_and_invalid_unicode_are_reported_with_their_path(string json, string field, string issue)
    {
        var problem = Check(json)!;
        Assert.Equal(field, problem.Error.Field);
        Assert.Equal(issue, problem.Error.Issue);
    }

    [Theory]
    [InlineData("1e131072", "number_out_of_range")]
    [InlineData("1e-20000", "number_out_of_range")]
    [InlineData("-1E+65", "number_out_of_range")]
    [InlineData("1e1000000000", "number_out_of_range")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345", "number_too_long")]
    public void numbers_postgresql_would_overflow_or_blow_up_are_refused(string number, string issue)
    {
        var problem = Check($$$"""{"payload": {"n": [1, {{{number}}}]}}""")!;
        Assert.Equal("payload.n[1]", problem.Error.Field);
        Assert.Equal(issue, problem.Error.Issue);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("1e64")]
    [InlineData("2.5E-064")]
    [InlineData("1e+0")]
    [InlineData("1234567890.123456789")]
    public void ordinary_numbers_pass(string number) => Assert.Null(Check($$"""{"n": {{number}}}"""));

    [Fact]
    public void invalid_utf8_bytes_in_a_string_are_invalid_unicode()
    {
        var problem = JsonInput.Check([.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8])!;
        Assert.Equal("a", problem.Error.Field);
        Assert.Equal("invalid_unicode", problem.Error.Issue);
    }

    [Fact]
    public void top_level_identifiers_have_their_documented_lengths_and_nested_ones_are_the_endpoints_to_judge()
    {
        Assert.Null(Check($$"""{"tenant_id": "{{new string('9', IdentifierLimits.Id)}}"}"""));
        Assert.Equal("tenant_id", Check($$"""{"tenant_id": "{{new string('9', IdentifierLimits.Id + 1)}}"}""")!.Error.Field);
        Assert.Equal("control_characters", Check("""{"route_key": "a\nb"}""")!.Error.Issue);
        Assert.Null(Check($$$"""{"payload": {"tenant_id": "{{{new string('9', 500)}}}"}}"""));
    }

    [Fact]
    public void audit_values_too_long_for_an_index_keep_a_prefix_and_the_hash_of_the_whole()
    {
        var value = new string('c', 3000);
        var bounded = AuditBounds.Indexable(value)!;
        Assert.True(bounded.Length <= AuditBounds.MaxIndexedLength);
        Assert.StartsWith(new string('c', 200), bounded);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(value))), bounded);
        Assert.NotEqual(bounded, AuditBounds.Indexable(value + "d"));
        Assert.Equal("short", AuditBounds.Indexable("short"));
    }
}
