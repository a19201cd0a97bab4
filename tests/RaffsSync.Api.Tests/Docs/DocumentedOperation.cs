using System.Text.Json;

namespace RaffsSync.Api.Tests.Docs;

/// <summary>What the OpenAPI document says of one operation, as far as a reader of /docs should see it.</summary>
public sealed record DocumentedOperation(
    string Method,
    string Path,
    string Tag,
    string Summary,
    IReadOnlyList<(string In, string Name)> Parameters,
    IReadOnlyList<string> BodyFields,
    string SuccessStatus,
    IReadOnlyList<string> ResponseFields)
{
    public string Name => $"{Method.ToUpperInvariant()} {Path}";

    // Scalar's ids for the document's sections; the tags in this document are already slugs.
    public string TagSectionId => $"v1/tag/{Tag}";

    public string SectionId => $"{TagSectionId}/{Method.ToUpperInvariant()}{Path}";

    public static DocumentedOperation Read(JsonElement document, string method, string path)
    {
        var pathItem = document.GetProperty("paths").GetProperty(path);
        var operation = pathItem.GetProperty(method);

        var parameters = new[] { pathItem, operation }
            .Where(e => e.TryGetProperty("parameters", out _))
            .SelectMany(e => e.GetProperty("parameters").EnumerateArray())
            .Select(p => Resolve(document, p))
            .Select(p => (p.GetProperty("in").GetString()!, p.GetProperty("name").GetString()!))
            .Distinct()
            .ToList();

        var body = operation.TryGetProperty("requestBody", out var requestBody) ? JsonSchema(document, requestBody) : null;
        var (status, response) = operation.GetProperty("responses").EnumerateObject()
            .Where(r => r.Name.StartsWith('2'))
            .Select(r => (r.Name, JsonSchema(document, r.Value)))
            .First();

        return new DocumentedOperation(method, path, operation.GetProperty("tags")[0].GetString()!,
            operation.GetProperty("summary").GetString()!, parameters,
            PropertyNames(document, body), status, PropertyNames(document, response));
    }

    private static JsonElement? JsonSchema(JsonElement document, JsonElement bodyOrResponse)
    {
        var resolved = Resolve(document, bodyOrResponse);
        return resolved.TryGetProperty("content", out var content)
            && content.TryGetProperty("application/json", out var json)
            && json.TryGetProperty("schema", out var schema)
                ? schema
                : null;
    }

    /// <summary>The top-level property names of a schema, through references and allOf.</summary>
    private static List<string> PropertyNames(JsonElement document, JsonElement? schema)
    {
        if (schema is null) return [];
        var resolved = Resolve(document, schema.Value);
        var names = resolved.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Select(p => p.Name).ToList()
            : [];
        if (resolved.TryGetProperty("allOf", out var allOf))
            names.AddRange(allOf.EnumerateArray().SelectMany(part => PropertyNames(document, part)));
        return names.Distinct().ToList();
    }

    private static JsonElement Resolve(JsonElement document, JsonElement element)
    {
        while (element.TryGetProperty("$ref", out var reference))
            element = reference.GetString()!.TrimStart('#', '/').Split('/')
                .Aggregate(document, (node, key) => node.GetProperty(key.Replace("~1", "/").Replace("~0", "~")));
        return element;
    }
}
