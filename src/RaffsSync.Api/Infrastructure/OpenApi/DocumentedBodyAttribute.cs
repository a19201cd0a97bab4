namespace RaffsSync.Api.Infrastructure.OpenApi;

public interface IDocumentedBody
{
    Type BodyType { get; }
    string SchemaName { get; }
    string? Description { get; }
    IReadOnlyList<string> ContentTypes { get; }
}

/// <summary>
/// The body an endpoint takes as raw JSON (or a form) and reads into <typeparamref name="T"/> itself,
/// so that every field problem is answered at once: the document shows <typeparamref name="T"/>'s schema.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DocumentedBodyAttribute<T>(string? schemaName = null, params string[] contentTypes) : Attribute, IDocumentedBody
{
    public Type BodyType => typeof(T);
    public string SchemaName { get; } = schemaName ?? typeof(T).Name;
    public string? Description { get; init; }
    public IReadOnlyList<string> ContentTypes { get; } = contentTypes.Length > 0 ? contentTypes : ["application/json"];
}
