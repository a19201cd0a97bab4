using System.Text.Json;
using System.Text.RegularExpressions;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Inbound;

/// <summary>
/// Where a provider's push keeps a value (its event type, its event id): <c>header:X-Name</c> reads a request header,
/// anything else is JMESPath over the JSON body. A value is a string or a number; anything else reads as absent.
/// </summary>
public static partial class InboundExpression
{
    public const string HeaderPrefix = "header:";
    public const int MaxLength = 1000;

    [GeneratedRegex(RouteValidation.HeaderNamePattern)]
    private static partial Regex HeaderName();

    public static bool ReadsBody(string expression) => !expression.StartsWith(HeaderPrefix, StringComparison.Ordinal);

    /// <summary>The value, or null when it is absent, empty or not a string or number.</summary>
    /// <param name="header">A request header's value by name (null when absent).</param>
    /// <param name="bodyJson">The body, when it is JSON; null otherwise (then body expressions read nothing).</param>
    public static string? Evaluate(string expression, Func<string, string?> header, string? bodyJson)
    {
        if (!ReadsBody(expression)) return NonEmpty(header(expression[HeaderPrefix.Length..])?.Trim());
        if (bodyJson is null) return null;

        using var result = JsonDocument.Parse(JsonExpression.Evaluate(expression, bodyJson));
        return result.RootElement.ValueKind switch
        {
            JsonValueKind.String => NonEmpty(result.RootElement.GetString()),
            JsonValueKind.Number => result.RootElement.GetRawText(),
            _ => null
        };
    }

    /// <summary>True when a body expression finds a value that is not a string or number (an object, an array, a boolean).</summary>
    public static bool FindsOtherThanText(string expression, string? bodyJson)
    {
        if (!ReadsBody(expression) || bodyJson is null) return false;
        try
        {
            using var result = JsonDocument.Parse(JsonExpression.Evaluate(expression, bodyJson));
            return result.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.True or JsonValueKind.False;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false; // a JMESPath function given the wrong type of value: nothing is there, as Evaluate's callers read it
        }
    }

    public static FieldError? Validate(string? expression, string field)
    {
        if (expression is null) return null;
        if (expression.Length is 0 or > MaxLength) return new FieldError(field, "invalid", $"1 to {MaxLength} characters");
        if (!ReadsBody(expression))
            return HeaderName().IsMatch(expression[HeaderPrefix.Length..])
                ? null
                : new FieldError(field, "invalid", "header:<name>, where the name is an HTTP header name");
        return JsonExpression.TryParse(expression, out var problem) ? null : new FieldError(field, "invalid_expression", problem);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
