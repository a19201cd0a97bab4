using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>Declares API-key bearer authentication in the OpenAPI document, so generated clients and /docs send the key.</summary>
public sealed class ApiKeySecurityScheme : IOpenApiDocumentTransformer
{
    private const string Name = "api_key";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "RaffsSync API";
        document.Info.Description = "One API for work against POS and accounting platforms. Errors are RFC 9457 problem details with code, message, details and request_id.";

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Name] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (rsk_test_... or rsk_live_...) as 'Authorization: Bearer <key>'; 'X-Api-Key: <key>' works too."
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Name, document)] = [] }];

        // One tag per resource (see ResourceTags), in place of one per handler class.
        document.Tags = new HashSet<OpenApiTag>(document.Paths.Keys
            .Select(path => path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            .Where(segments => segments is ["api", "v1", _, ..])
            .Select(segments => segments[2]).Distinct().Order()
            .Select(resource => new OpenApiTag { Name = resource }));
        return Task.CompletedTask;
    }
}
