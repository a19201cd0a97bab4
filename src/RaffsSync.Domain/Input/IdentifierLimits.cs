namespace RaffsSync.Domain.Input;

/// <summary>
/// Documented maximum lengths of the identifiers and short texts a request may carry (README,
/// "Limits"). Beyond them a request is a 400: such values end up in indexes, headers and logs.
/// </summary>
public static class IdentifierLimits
{
    public const int Id = 64;
    public const int Key = 100;
    public const int Name = 200;
    public const int Reason = 1_000;
    public const int QueryValue = 1_000;

    private static readonly Dictionary<string, int> Fields = new(StringComparer.Ordinal)
    {
        ["tenant_id"] = Id, ["customer_id"] = Id, ["connection_id"] = Id, ["client_id"] = Key, ["id"] = Id,
        ["provider"] = Key, ["key"] = Key, ["route_key"] = Key, ["environment"] = Id, ["caller_class"] = Id,
        ["name"] = Name, ["description"] = Reason, ["reason"] = Reason, ["route_version"] = Id
    };

    public static int? MaxLengthOf(string field) => Fields.TryGetValue(field, out var max) ? max : null;

    /// <summary>The problem with <paramref name="value"/> as the top-level field <paramref name="field"/>, if any.</summary>
    public static FieldError? Check(string field, string value) =>
        MaxLengthOf(field) is { } max && value.Length > max ? new FieldError(field, "too_long", $"at most {max} characters") : null;
}
