using System.Text.Json;
using System.Text.Json.Serialization;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>Reads an identifier sent either as a string or as a whole number (the seeds send <c>"tenant_id": 29</c>).</summary>
public sealed class StringOrNumberConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number when reader.TryGetInt64(out var number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new JsonException() // no message: System.Text.Json then names the field and type
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
