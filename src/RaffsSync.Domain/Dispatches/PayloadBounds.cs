using System.Text.Json;

namespace RaffsSync.Domain.Dispatches;

/// <summary>
/// Limits inside a payload, beyond the 10 MB body and depth-64 limits: no string longer than
/// <see cref="MaxStringLength"/> characters, no object with more than <see cref="MaxProperties"/> properties,
/// no array with more than <see cref="MaxItems"/> items. The first breach is reported with its JSON path.
/// </summary>
public static class PayloadBounds
{
    public const int MaxStringLength = 1_000_000;
    public const int MaxProperties = 1_000;
    public const int MaxItems = 100_000;

    public static FieldError? Check(JsonElement payload, string path = "payload") => payload.ValueKind switch
    {
        JsonValueKind.String when payload.GetString()!.Length > MaxStringLength =>
            new FieldError(path, "too_long", $"at most {MaxStringLength} characters"),
        JsonValueKind.Object when payload.EnumerateObject().Count() > MaxProperties =>
            new FieldError(path, "too_many_properties", $"at most {MaxProperties}"),
        JsonValueKind.Object => payload.EnumerateObject().Select(p => Check(p.Value, $"{path}.{p.Name}")).FirstOrDefault(e => e is not null),
        JsonValueKind.Array when payload.GetArrayLength() > MaxItems =>
            new FieldError(path, "too_many_items", $"at most {MaxItems}"),
        JsonValueKind.Array => payload.EnumerateArray().Select((item, i) => Check(item, $"{path}[{i}]")).FirstOrDefault(e => e is not null),
        _ => null
    };
}
