using System.Text;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Templates;

/// <summary>Turns a route version, a provider base URL and a dispatch's inputs into the exact request to send.</summary>
public static class RequestRenderer
{
    public static RenderedRequest Render(RouteDefinition route, string baseUrl, TemplateContext context)
    {
        var request = route.Request;
        var path = StringTemplate.Render(request.Path, context, "request.path", Uri.EscapeDataString);
        var url = new StringBuilder(baseUrl.TrimEnd('/')).Append('/').Append(path.TrimStart('/'));

        var separator = url.ToString().Contains('?') ? '&' : '?';
        foreach (var (name, template) in request.Query ?? new Dictionary<string, string>())
        {
            var value = StringTemplate.Render(template, context, $"request.query.{name}");
            url.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        var headers = (request.Headers ?? new Dictionary<string, string>())
            .ToDictionary(h => h.Key,
                h => StringTemplate.Render(h.Value, context, $"request.headers.{h.Key}"),
                StringComparer.OrdinalIgnoreCase);

        return new RenderedRequest(request.Method.ToUpperInvariant(), url.ToString(), headers,
            RenderBody(request.Body, context));
    }

    private static string? RenderBody(string? bodyPath, TemplateContext context)
    {
        if (string.IsNullOrWhiteSpace(bodyPath)) return null;

        var value = context.Resolve(bodyPath.Trim())
            ?? throw new TemplateException("request.body", $"'{bodyPath}' has no value.");
        return value.GetRawText();
    }
}
