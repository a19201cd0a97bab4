using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>Groups operations in /docs by the resource they act on (<c>/api/v1/{resource}/...</c>), not by handler class.</summary>
public sealed class ResourceTags : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var segments = (context.Description.RelativePath ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["api", "v1", var resource, ..])
            operation.Tags = new HashSet<OpenApiTagReference> { new(resource, context.Document) };
        return Task.CompletedTask;
    }
}
