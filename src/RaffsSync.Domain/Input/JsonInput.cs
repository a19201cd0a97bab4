using System.Text;
using System.Text.Json;

namespace RaffsSync.Domain.Input;

/// <summary>What is wrong with a request body, before any endpoint reads it.</summary>
public sealed record JsonInputProblem(bool Unparseable, FieldError Error);

/// <summary>
/// The rules every JSON request body meets, checked in one pass over its bytes so that nothing a
/// reader cannot read back is ever stored: it parses; it is an object; it nests at most
/// <see cref="MaxDepth"/> levels (every reader of stored events and audit entries nests them a few
/// levels deeper and reads 64); no string or property name holds a NUL (PostgreSQL refuses it) or
/// invalid Unicode such as a lone surrogate; numbers stay within <see cref="MaxNumberLength"/> and
/// <see cref="MaxExponent"/>; and the identifier fields named in
/// <see cref="IdentifierLimits"/> stay within their documented lengths.
/// </summary>
public static class JsonInput
{
    public const int MaxDepth = 32;

    /// <summary>
    /// PostgreSQL stores JSON numbers exactly: <c>1e131072</c> overflows its numeric type (a 500 once), and
    /// <c>1e100000</c> is stored, read and sent on as 100,000 digits. Numbers stay within these bounds.
    /// </summary>
    public const int MaxNumberLength = 64, MaxExponent = 64;

    /// <param name="request">A request body of this API: an object whose identifier fields keep their limits. False for a
    /// document written elsewhere (a provider's event): any JSON value, with only the storage rules.</param>
    public static JsonInputProblem? Check(ReadOnlySpan<byte> utf8, bool request = true)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth + 1, CommentHandling = JsonCommentHandling.Disallow });
        var path = new List<string>();
        var indices = new List<int>();
        string? property = null;
        try
        {
            if (!reader.Read()) return Unparseable(0);
            if (request && reader.TokenType != JsonTokenType.StartObject)
                return new JsonInputProblem(false, new FieldError("body", "not_an_object", "send a JSON object"));
            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (reader.CurrentDepth >= MaxDepth)
                            return new JsonInputProblem(false, new FieldError(PathOf(path, property), "too_deep", $"at most {MaxDepth} levels of nesting"));
                        if (reader.CurrentDepth > 0) path.Add(Step(property, indices));
                        indices.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        property = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        indices.RemoveAt(indices.Count - 1);
                        if (path.Count > 0) path.RemoveAt(path.Count - 1);
                        property = null;
                        Advance(indices);
                        break;
                    case JsonTokenType.PropertyName:
                        property = null;
                        if (TextProblem(ref reader, PathOf(path, null)) is { } nameProblem) return nameProblem;
                        property = reader.GetString();
                        break;
                    case JsonTokenType.String:
                        var field = PathOf(path, Step(property, indices));
                        if (TextProblem(ref reader, field) is { } valueProblem) return valueProblem;
                        if (request && path.Count == 0 && property is not null && IdentifierLimits.CheckTopLevel(property, reader.GetString()!) is { } tooLong)
                            return new JsonInputProblem(false, tooLong);
                        property = null;
                        Advance(indices);
                        break;
                    case JsonTokenType.Number:
                        if (NumberProblem(reader.ValueSpan) is { } issue)
                            return new JsonInputProblem(false, new FieldError(PathOf(path, Step(property, indices)), issue,
                                $"a number of at most {MaxNumberLength} characters with an exponent between -{MaxExponent} and {MaxExponent}"));
                        property = null;
                        Advance(indices);
                        break;
                    default:
                        property = null;
                        Advance(indices);
                        break;
                }
            } while (reader.Read());
            return null;
        }
        catch (JsonException)
        {
            return Unparseable(reader.BytesConsumed);
        }
    }

    private static JsonInputProblem Unparseable(long position) =>
        new(true, new FieldError("body", "invalid_json", $"byte {position}"));

    /// <summary>The string the reader stands on decodes to valid Unicode without NUL.</summary>
    private static JsonInputProblem? TextProblem(ref Utf8JsonReader reader, string field)
    {
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to decode invalid UTF-8 and escaped lone surrogates ("\ud800").
            return new JsonInputProblem(false, new FieldError(field, "invalid_unicode", "text must be valid Unicode (no lone surrogates)"));
        }
        return text.Contains('\0')
            ? new JsonInputProblem(false, new FieldError(field, "nul_character", "text may not contain U+0000"))
            : null;
    }

    private static string? NumberProblem(ReadOnlySpan<byte> number)
    {
        if (number.Length > MaxNumberLength) return "number_too_long";
        var e = number.IndexOfAny((byte)'e', (byte)'E');
        if (e < 0) return null;
        var exponent = number[(e + 1)..];
        if (exponent.Length > 0 && exponent[0] is (byte)'+' or (byte)'-') exponent = exponent[1..];
        var digits = exponent.TrimStart((byte)'0');
        return digits.Length > 2 || (digits.Length > 0 && int.Parse(digits) > MaxExponent) ? "number_out_of_range" : null;
    }

    private static string Step(string? property, List<int> indices) =>
        property ?? (indices.Count > 0 && indices[^1] >= 0 ? $"[{indices[^1]}]" : "");

    private static void Advance(List<int> indices)
    {
        if (indices.Count > 0 && indices[^1] >= 0) indices[^1]++;
    }

    private static string PathOf(List<string> path, string? last)
    {
        var builder = new StringBuilder();
        foreach (var step in path.Append(last ?? "").Where(s => s.Length > 0))
        {
            if (builder.Length > 0 && !step.StartsWith('[')) builder.Append('.');
            builder.Append(step);
        }
        return builder.Length == 0 ? "body" : builder.ToString();
    }
}
