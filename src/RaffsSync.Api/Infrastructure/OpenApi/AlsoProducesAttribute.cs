using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>A change to one endpoint's operation, made by <see cref="OperationContract"/> before it completes the responses.</summary>
public interface IOperationAmendment
{
    Task AmendAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation);
}

/// <summary>
/// A second body an endpoint answers with a status it already documents: API Explorer keeps one type per
/// status, so a list answering either of two page shapes, or an export in two formats, declares the other
/// one here. Under a content type the status already has, the schemas become <c>oneOf</c>; under a new
/// content type, <typeparamref name="T"/> is its schema.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class AlsoProducesAttribute<T>(int statusCode, string contentType) : Attribute, IOperationAmendment
{
    public async Task AmendAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var document = context.Document!;
        var name = SchemaName(typeof(T));
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(name))
            document.AddComponent(name, Referencing(await context.GetOrCreateSchemaAsync(typeof(T), null, cancellation), document, top: true));
        IOpenApiSchema schema = new OpenApiSchemaReference(name, document);

        operation.Responses ??= new OpenApiResponses();
        if (!operation.Responses.TryGetValue(statusCode.ToString(), out var found) || found is not OpenApiResponse response)
            operation.Responses[statusCode.ToString()] = response = new OpenApiResponse { Description = "OK" };
        response.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (response.Content.TryGetValue(contentType, out var media) && media.Schema is { } existing)
            media.Schema = new OpenApiSchema { OneOf = [existing, schema] };
        else
            response.Content[contentType] = new OpenApiMediaType { Schema = schema };
    }

    /// <summary>The schema with each nested type the document already has as a component replaced by a reference to it.</summary>
    private static IOpenApiSchema Referencing(IOpenApiSchema schema, OpenApiDocument document, bool top = false)
    {
        if (schema is not OpenApiSchema concrete) return schema;
        if (!top && concrete.Metadata?.TryGetValue("x-schema-id", out var id) == true && id is string component
            && document.Components?.Schemas?.ContainsKey(component) == true)
            return new OpenApiSchemaReference(component, document);
        if (concrete.Items is { } items) concrete.Items = Referencing(items, document);
        foreach (var (property, value) in concrete.Properties?.ToList() ?? [])
            concrete.Properties![property] = Referencing(value, document);
        return concrete;
    }

    /// <summary>The component name the generator gives a type: <c>CursorPageOfAuditEntryView</c> for <c>CursorPage&lt;AuditEntryView&gt;</c>.</summary>
    private static string SchemaName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}Of{string.Join("And", type.GetGenericArguments().Select(SchemaName))}"
        : type.Name;
}
