using System.Text.Json;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Tests;

public sealed class RequestRendererTests
{
    private static readonly Guid DispatchId = Guid.Parse("0195f3a4-0000-7000-8000-000000000001");

    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 30, 0, TimeSpan.Zero);

    private static TemplateInputs Inputs(string payloadJson, IReadOnlyDictionary<string, string>? credentials = null) =>
        new(DispatchId, "29", JsonDocument.Parse(payloadJson).RootElement, Now, "idem-1",
            new Dictionary<string, string> { ["outlet_id"] = "OUT-7" }, credentials);

    private static TemplateContext Context(string payloadJson) => TemplateContext.For(Inputs(payloadJson));

    [Fact]
    public void path_and_query_values_are_url_encoded_and_headers_are_not()
    {
        var route = new RouteDefinition("http", new RequestTemplate("post", "/v1/outlets/{{payload.outlet}}/orders",
            Query: new Dictionary<string, string> { ["since date"] = "{{payload.since}}" },
            Headers: new Dictionary<string, string> { ["X-Ref"] = "{{ payload.outlet }}-{{dispatch.tenant_id}}" }));

        var request = RequestRenderer.Render(route, "https://api.example/base/",
            Context("""{"outlet":"A/B 1","since":"2026-02-01T00:00:00+07:00"}"""));

        Assert.Equal("POST", request.Method);
        Assert.Equal("https://api.example/base/v1/outlets/A%2FB%201/orders?since%20date=2026-02-01T00%3A00%3A00%2B07%3A00", request.Url);
        Assert.Equal("A/B 1-29", request.Headers["x-ref"]);
    }

    [Fact]
    public void body_payload_sends_the_payload_unchanged_and_a_path_sends_part_of_it()
    {
        const string payload = """{"order":{"id":7,"lines":[{"sku":"KOPI"}]},"note":null}""";

        var whole = RequestRenderer.Render(new RouteDefinition("http", new RequestTemplate("POST", "/o")), "http://p", Context(payload));
        var part = RequestRenderer.Render(new RouteDefinition("http", new RequestTemplate("POST", "/o", Body: "payload.order.lines[0]")),
            "http://p", Context(payload));
        var none = RequestRenderer.Render(new RouteDefinition("http", new RequestTemplate("GET", "/o", Body: null)), "http://p", Context(payload));

        Assert.Equal(payload, whole.Body);
        Assert.Equal("""{"sku":"KOPI"}""", part.Body);
        Assert.Null(none.Body);
    }

    [Fact]
    public void numbers_and_booleans_render_as_their_json_text()
    {
        var route = new RouteDefinition("http", new RequestTemplate("GET", "/items/{{payload.id}}/{{payload.active}}", Body: null));

        var request = RequestRenderer.Render(route, "http://p", Context("""{"id":12.50,"active":false}"""));

        Assert.Equal("http://p/items/12.50/false", request.Url);
    }

    [Theory]
    [InlineData("/orders/{{payload.missing}}", "request.path", "'payload.missing' has no value.")]
    [InlineData("/orders/{{payload.order}}", "request.path", "'payload.order' is not a string, number or boolean.")]
    [InlineData("/orders/{{secrets.token}}", "request.path", "'secrets.token' has no value.")]
    [InlineData("/orders/{{payload.order | upper}}", "request.path", "The template has a placeholder that is not a plain path.")]
    [InlineData("/orders/{{environment.HOME}}", "request.path", "'environment.HOME' has no value.")]
    public void unrenderable_templates_name_the_failing_field(string path, string field, string message)
    {
        var route = new RouteDefinition("http", new RequestTemplate("GET", path, Body: null));

        var error = Assert.Throws<TemplateException>(() => RequestRenderer.Render(route, "http://p", Context("""{"order":{"id":1}}""")));

        Assert.Equal(field, error.TemplatePath);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void a_missing_header_value_names_the_header()
    {
        var route = new RouteDefinition("http", new RequestTemplate("GET", "/x",
            Headers: new Dictionary<string, string> { ["Idempotency-Key"] = "{{payload.key}}" }, Body: null));

        var error = Assert.Throws<TemplateException>(() => RequestRenderer.Render(route, "http://p", Context("{}")));

        Assert.Equal("request.headers.Idempotency-Key", error.TemplatePath);
    }

    [Fact]
    public void connection_settings_idempotency_key_and_now_are_inputs()
    {
        var route = new RouteDefinition("http", new RequestTemplate("GET", "/o/{{connection.settings.outlet_id}}",
            Headers: new Dictionary<string, string> { ["Idempotency-Key"] = "{{idempotency_key}}", ["X-At"] = "{{now}}" }, Body: null));

        var request = RequestRenderer.Render(route, "http://p", Context("{}"));

        Assert.Equal("http://p/o/OUT-7", request.Url);
        Assert.Equal("idem-1", request.Headers["Idempotency-Key"]);
        Assert.Equal("2026-11-22T10:30:00.000Z", request.Headers["X-At"]);
    }

    [Fact]
    public void without_an_idempotency_key_the_dispatch_id_stands_in()
    {
        var route = new RouteDefinition("http", new RequestTemplate("GET", "/o",
            Headers: new Dictionary<string, string> { ["Idempotency-Key"] = "{{idempotency_key}}" }, Body: null));
        var inputs = Inputs("{}") with { IdempotencyKey = null };

        var request = RequestRenderer.Render(route, "http://p", inputs).ToSend;

        Assert.Equal(DispatchId.ToString(), request.Headers["Idempotency-Key"]);
    }

    [Fact]
    public void a_body_expression_reshapes_the_inputs_and_cannot_see_credentials()
    {
        var route = new RouteDefinition("http", new RequestTemplate("POST", "/o",
            Body: "{outlet: connection.settings.outlet_id, lines: payload.items[*].sku, secret: credentials.token}"));

        var request = RequestRenderer.Render(route, "http://p",
            Inputs("""{"items":[{"sku":"A"},{"sku":"B"}]}""", new Dictionary<string, string> { ["token"] = "s3cret" })).ToSend;

        Assert.Equal("""{"outlet":"OUT-7","lines":["A","B"],"secret":null}""", request.Body);
    }

    [Theory]
    [InlineData("bearer", "Authorization", "Bearer s3cret", "Bearer ********")]
    [InlineData("basic", "Authorization", "Basic dXNlcjpzM2NyZXQ=", "Basic ********")]
    [InlineData("api_key", "X-Api-Key", "s3cret", "********")]
    public void credentials_are_sent_and_masked_in_the_recorded_copy(string type, string header, string sent, string recorded)
    {
        var auth = new AuthPlacement(type, Token: "{{credentials.token}}", In: "header", Name: "X-Api-Key",
            Value: "{{credentials.token}}", Username: "user", Password: "{{credentials.token}}");
        var route = new RouteDefinition("http", new RequestTemplate("GET", "/o", Body: null), Auth: auth);

        var rendered = RequestRenderer.Render(route, "http://p", Inputs("{}", new Dictionary<string, string> { ["token"] = "s3cret" }));

        Assert.Equal(sent, rendered.ToSend.Headers[header]);
        Assert.Equal(recorded, rendered.Masked.Headers[header]);
        Assert.DoesNotContain("s3cret", rendered.Masked.ToString());
    }

    [Fact]
    public void an_api_key_in_the_query_is_masked_in_the_recorded_url()
    {
        var route = new RouteDefinition("http", new RequestTemplate("GET", "/o", Body: null),
            Auth: new AuthPlacement("api_key", In: "query", Name: "key", Value: "{{credentials.key}}"));

        var rendered = RequestRenderer.Render(route, "http://p", Inputs("{}", new Dictionary<string, string> { ["key"] = "k&1" }));

        Assert.Equal("http://p/o?key=k%261", rendered.ToSend.Url);
        Assert.Equal("http://p/o?key=%2A%2A%2A%2A%2A%2A%2A%2A", rendered.Masked.Url);
    }
}
