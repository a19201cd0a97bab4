using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain;

/// <summary>
/// The documented maximum lengths of the identifiers, names and reasons callers send (README,
/// "Hostile input"). Beyond them a request is a 400: such values end up in indexes, headers and logs.
/// </summary>
public static class IdentifierLimits
{
    public const int Id = 64, Key = 100, Name = 200, Reason = 1000, QueryValue = 1000;

    private static readonly Dictionary<string, int> TopLevelFields = new(StringComparer.Ordinal)
    {
        ["tenant_id"] = Id, ["customer_id"] = Id, ["connection_id"] = Id, ["id"] = Id, ["environment"] = Id, ["caller_class"] = Id,
        ["route_version"] = Id, ["provider"] = Key, ["key"] = Key, ["route_key"] = Key, ["client_id"] = Key,
        ["name"] = Name, ["description"] = Reason, ["reason"] = Reason
    };

    /// <summary>What is wrong with a caller's identifier or label (too long, or holding control characters such as NUL), or null.</summary>
    public static FieldError? Check(string field, string? value, int maxLength)
    {
        if (value is null) return null;
        if (value.Length > maxLength) return new FieldError(field, "too_long", $"at most {maxLength} characters");
        if (value.Any(char.IsControl)) return new FieldError(field, "control_characters", "no control characters (NUL, line breaks, tabs)");
        return null;
    }

    /// <summary>The documented maximum length of a top-level request field, for the fields that have one.</summary>
    public static int? MaxLengthOf(string field) => TopLevelFields.TryGetValue(field, out var max) ? max : null;

    /// <summary>
    /// The problem with a top-level field of any request body, where the field is one of the documented
    /// identifiers: identifiers may hold no control characters; reasons and descriptions may span lines.
    /// </summary>
    public static FieldError? CheckTopLevel(string field, string value) => MaxLengthOf(field) switch
    {
        null => null,
        <= Key and var max => Check(field, value, max),
        var max when value.Length > max => new FieldError(field, "too_long", $"at most {max} characters"),
        _ => null
    };
}
