using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>
/// Every string, integer and array in the document has a bound, as OWASP API4 asks: the one the
/// code enforces where there is one (data annotations, <see cref="IdentifierLimits"/>, formats), and
/// otherwise what the 10 MB body limit implies.
/// </summary>
public sealed class BoundedSchemas : IOpenApiSchemaTransformer
{
    public const int MaxItems = (int)(BodySizeLimit.MaxBytes / 2);
    private const int MaxStringLength = (int)BodySizeLimit.MaxBytes;

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.CustomConverter is StringOrNumberConverter)
        {
            // Answered as a string; a whole number is read as its digits (the seeds send tenant_id 29).
            schema.Type = JsonSchemaType.String;
            schema.Description ??= "A string; a whole number is accepted as well and answered as a string.";
        }
        Bound(schema, context.JsonPropertyInfo?.Name);
        return Task.CompletedTask;
    }

    public static void Bound(OpenApiSchema schema, string? name)
    {
        // An enum of names (JsonStringEnumConverter) is a string: generated clients need the type to read it as one.
        if (schema.Type is null && schema.Enum is { Count: > 0 } names
            && names.All(n => n?.GetValueKind() == System.Text.Json.JsonValueKind.String))
            schema.Type = JsonSchemaType.String;
        var type = schema.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.String) && schema.Enum is not { Count: > 0 })
            schema.MaxLength ??= schema.Format switch
            {
                "date-time" => 64,
                "date" => 10,
                "uuid" => 36,
                "uri" or "uri-reference" => 2048,
                _ => (name is null ? null : IdentifierLimits.MaxLengthOf(name)) ?? MaxStringLength
            };
        if (type.HasFlag(JsonSchemaType.Integer))
        {
            var wide = schema.Format == "int64";
            schema.Format ??= "int32";
            schema.Minimum ??= (wide ? long.MinValue : int.MinValue).ToString();
            schema.Maximum ??= (wide ? long.MaxValue : int.MaxValue).ToString();
        }
        if (type.HasFlag(JsonSchemaType.Array)) schema.MaxItems ??= MaxItems;
    }
}
