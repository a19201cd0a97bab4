using RaffsSync.Domain;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Api.Registry;

/// <summary>
/// Builds the request a route version sends for one dispatch: the provider's base URL for the
/// caller's environment, and the route's templates over the dispatch's inputs. Both the executor
/// and the render dry run use it, so the dry run shows exactly what would be sent.
/// </summary>
public sealed class ProviderRequestBuilder(SelfAddress self)
{
    public RenderedRequests Build(Provider provider, RouteDefinition route, ProviderEnvironment environment, TemplateInputs inputs)
    {
        var baseUrl = provider.BaseUrls.GetValueOrDefault(environment)
            ?? throw new TemplateException("base_urls", $"Provider '{provider.Key}' has no {environment.ToString().ToLowerInvariant()} base URL.");
        return RequestRenderer.Render(route, self.Resolve(baseUrl), inputs);
    }
}
