using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml;

namespace RaffsSync.Client;

public partial class RaffsSyncClient
{
    // The document's `format: duration` is ISO 8601 (`PT10S`), which NSwag maps to TimeSpan but
    // System.Text.Json reads and writes only as `hh:mm:ss`.
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) =>
        settings.Converters.Add(new IsoDurationConverter());
}

internal sealed class IsoDurationConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        XmlConvert.ToTimeSpan(reader.GetString() ?? throw new JsonException("A duration must be a string."));

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(XmlConvert.ToString(value));
}
