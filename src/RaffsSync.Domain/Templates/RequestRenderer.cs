using System.Text;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Templates;

/// <summary>The request to send, and the same request with every credential masked: what is shown and recorded.</summary>
public sealed record RenderedRequests(RenderedRequest ToSend, RenderedRequest Masked);

/// <summary>Turns a route version, a provider base URL and a dispatch's inputs into the exact request to send.</summary>
public static class RequestRenderer
{
    /// <param name="accessToken">The OAuth2 access token, for routes whose auth is <c>oauth2_client_credentials</c>.</param>
    public static RenderedRequests Render(RouteDefinition route, string baseUrl, TemplateInputs inputs, string? accessToken = null) => new(
        Render(route, baseUrl, TemplateContext.For(inputs), accessToken),
        Render(route, baseUrl, TemplateContext.For(inputs, maskCredentials: true), accessToken is null ? null : TemplateContext.Mask));

    public static RenderedRequest Render(RouteDefinition route, string baseUrl, TemplateContext context, string? accessToken = null)
    {
        var request = route.Request
            ?? throw new TemplateException("request", $"A {route.Kind} route handles events the provider pushes; it sends no request.");
        var path = StringTemplate.Render(request.Path, context, "request.path", Uri.EscapeDataString);
        var url = new StringBuilder(baseUrl.TrimEnd('/')).Append('/').Append(path.TrimStart('/'));
        var query = (request.Query ?? new Dictionary<string, string>())
            .Select(q => (q.Key, Value: StringTemplate.Render(q.Value, context, $"request.query.{q.Key}")))
            .ToList();
        var headers = (request.Headers ?? new Dictionary<string, string>())
            .ToDictionary(h => h.Key,
                h => StringTemplate.Render(h.Value, context, $"request.headers.{h.Key}"),
                StringComparer.OrdinalIgnoreCase);

        if (route.Auth is not null) ApplyAuth(route.Auth, context, accessToken, headers, query);

        var separator = url.ToString().Contains('?') ? '&' : '?';
        foreach (var (name, value) in query)
        {
            url.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return new RenderedRequest(request.Method.ToUpperInvariant(), url.ToString(), headers,
            RenderBody(request.Body, context));
    }

    private static void ApplyAuth(AuthPlacement auth, TemplateContext context, string? accessToken,
        Dictionary<string, string> headers, List<(string Key, string Value)> query)
    {
        string Field(string? template, string field) => StringTemplate.Render(template ?? "", context, $"auth.{field}");

        switch (auth.Type)
        {
            case "bearer":
                headers["Authorization"] = "Bearer " + Field(auth.Token, "token");
                break;
            case "api_key" when auth.In == "query":
                query.Add((Field(auth.Name, "name"), Field(auth.Value, "value")));
                break;
            case "api_key":
                headers[Field(auth.Name, "name")] = Field(auth.Value, "value");
                break;
            case "basic":
                var pair = $"{Field(auth.Username, "username")}:{Field(auth.Password, "password")}";
                headers["Authorization"] = context.IsMasked
                    ? "Basic " + TemplateContext.Mask
                    : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));
                break;
            case "oauth2_client_credentials":
                headers["Authorization"] = "Bearer " + (accessToken
                    ?? throw new TemplateException("auth", "An OAuth2 access token is needed to render this route."));
                break;
        }
    }

    private static string? RenderBody(string? expression, TemplateContext context)
    {
        if (string.IsNullOrWhiteSpace(expression)) return null;
        if (expression.Trim() == "payload") return context.Resolve("payload")!.Value.GetRawText(); // byte for byte as sent

        var body = JsonExpression.Evaluate(expression, context.BodyDocument);
        return body == "null"
            ? throw new TemplateException("request.body", $"'{expression}' selects nothing from the inputs.")
            : body;
    }
}
