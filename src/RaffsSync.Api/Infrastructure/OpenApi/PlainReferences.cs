using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>
/// Two shapes the generator writes that OpenAPI 3.0 tools misread: an optional object member as
/// <c>oneOf: [{enum: [null]}, {$ref}]</c> (a bare <c>nullable</c> without a type is invalid 3.0), which
/// becomes the plain <c>$ref</c>; and raw JSON (<see cref="System.Text.Json.JsonElement"/>) as a named empty
/// component that generated clients turn into a class of their own, which becomes an inline "any value".
/// </summary>
public sealed class PlainReferences : IOpenApiDocumentTransformer
{
    private const string RawJson = nameof(System.Text.Json.JsonElement);

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var visited = new HashSet<IOpenApiSchema>(ReferenceEqualityComparer.Instance);
        foreach (var schema in document.Components?.Schemas?.Values ?? [])
            Simplify(schema, visited);
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            foreach (var media in (operation.RequestBody?.Content?.Values ?? []).Concat(operation.Responses?.Values.SelectMany(r => r.Content?.Values ?? []) ?? []))
                if (media.Schema is { } schema) media.Schema = Simplified(schema, visited);
        }
        document.Components?.Schemas?.Remove(RawJson);
        return Task.CompletedTask;
    }

    private static IOpenApiSchema Simplified(IOpenApiSchema schema, HashSet<IOpenApiSchema> visited)
    {
        if (schema is OpenApiSchemaReference { Reference.Id: RawJson }) return new OpenApiSchema();
        if (schema is OpenApiSchema { OneOf: [var first, var second] } optional && (IsNull(first) || IsNull(second)))
        {
            var other = IsNull(first) ? second : first;
            if (other is OpenApiSchemaReference { Reference.Id: RawJson }) return new OpenApiSchema { Description = optional.Description };
            return other;
        }
        Simplify(schema, visited);
        return schema;
    }

    private static void Simplify(IOpenApiSchema schema, HashSet<IOpenApiSchema> visited)
    {
        if (schema is not OpenApiSchema concrete || !visited.Add(concrete)) return;
        if (concrete.Properties is { } properties)
            foreach (var name in properties.Keys.ToList())
                properties[name] = Simplified(properties[name], visited);
        if (concrete.Items is { } items) concrete.Items = Simplified(items, visited);
        if (concrete.AdditionalProperties is { } values) concrete.AdditionalProperties = Simplified(values, visited);
        foreach (var list in new[] { concrete.AllOf, concrete.AnyOf, concrete.OneOf })
            if (list is not null)
                for (var i = 0; i < list.Count; i++) list[i] = Simplified(list[i], visited);
    }

    // The generator's null member is a schema of type null (written in 3.0 as enum [null] with nullable).
    private static bool IsNull(IOpenApiSchema schema) =>
        schema is OpenApiSchema { Type: JsonSchemaType.Null }
        || schema is OpenApiSchema { Enum: { Count: 1 } values } && (values[0] is null || values[0]!.GetValueKind() == System.Text.Json.JsonValueKind.Null);
}
