using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Json.Schema;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Registry;

/// <summary>
/// The route template schema of the served OpenAPI document, and the standalone JSON Schemas made from it that route
/// authors point their editors at (<c>openapi/route-template.schema.json</c>, <c>openapi/route-pack.schema.json</c>):
/// the README's route and every pack passes them, the server accepts what they pass, and a broken route fails them.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RouteTemplateSchemaTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    public static TheoryData<string> Packs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "routes"), "*.json").Order()) data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [InlineData("openapi/route-template.schema.json", "RouteTemplate")]
    [InlineData("openapi/route-pack.schema.json", "RoutePack")]
    public async Task the_standalone_schemas_are_the_documents_components_and_valid_json_schemas(string file, string component)
    {
        var standalone = Standalone(await DocumentAsync(), component);
        var text = standalone.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

        var path = Path.Combine(Repository.Root, file);
        if (Environment.GetEnvironmentVariable("RAFFSSYNC_WRITE_SCHEMAS") == "1") await File.WriteAllTextAsync(path, text);
        Assert.True(File.Exists(path) && await File.ReadAllTextAsync(path) == text,
            $"{file} differs from the served document's {component}: run these tests once with RAFFSSYNC_WRITE_SCHEMAS=1 and commit it.");
        Assert.True(MetaSchemas.Draft202012.Evaluate(standalone, Evaluation).IsValid);
    }

    [Fact]
    public async Task the_readme_route_is_the_documents_example_passes_the_schema_and_is_accepted()
    {
        var document = await DocumentAsync();
        var readme = ReadmeRoute();

        Assert.True(JsonNode.DeepEquals(readme, document["components"]!["schemas"]!["RouteTemplate"]!["example"]),
            "the RouteTemplate example differs from the README's annotated route (RouteTemplate.Example)");
        AssertValid(RouteSchema(document), readme, "the README's route");

        var key = await Fixture.CreateKeyAsync();
        var registered = await CallAsync(key, s => s.Post
            .Json(new { key = "schema-check", name = "Schema check", base_urls = new { sandbox = "https://schema.example" } })
            .ToUrl("/api/v1/providers"));
        Assert.Equal(201, registered.Context.Response.StatusCode);
        var created = readme.DeepClone().AsObject();
        created.Remove("version");
        var put = await CallAsync(key, s =>
        {
            s.Put.Text(created.ToJsonString()).ToUrl("/api/v1/providers/schema-check/routes/orders.push");
            s.WithRequestHeader("Content-Type", "application/json");
        });
        Assert.Equal(201, put.Context.Response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Packs))]
    public async Task every_route_of_every_pack_passes_the_schema_and_the_pack_passes_the_pack_schema(string file)
    {
        var document = await DocumentAsync();
        var pack = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "routes", file)))!;

        var routes = pack["routes"]!.AsObject();
        Assert.NotEmpty(routes);
        foreach (var (routeKey, route) in routes) AssertValid(RouteSchema(document), route, $"{file}: {routeKey}");
        AssertValid(Schema(document, "RoutePack"), pack, file);
    }

    [Theory]
    [InlineData("/kind", "\"ftp\"", "/kind", "kind")]
    [InlineData("/request/method", "\"FETCH\"", "/request/method", "request.method")]
    [InlineData("/request/path", "\"v1/orders\"", "/request/path", "request.path")]
    [InlineData("/timeout", "\"10s\"", "/timeout", "timeout")]
    [InlineData("/error_rules/0/action", "\"explode\"", "/error_rules/0/action", "error_rules[0].action")]
    [InlineData("/auth", """{"type": "api_key", "in": "body", "name": "x-api-key", "value": "{{credentials.key}}"}""", "/auth/in", "auth.in")]
    [InlineData("/backoff/max_attempts", "0", "/backoff/max_attempts", "backoff.max_attempts")]
    [InlineData("/pagination/style", "\"scroll\"", "/pagination/style", "pagination.style")]
    [InlineData("/reconcile", """{"route_key": "no spaces"}""", "/reconcile/route_key", "reconcile.route_key")]
    public async Task a_broken_route_fails_the_schema_where_the_server_refuses_it(string member, string value, string location, string field)
    {
        var broken = ReadmeRoute().AsObject();
        broken.Remove("version");
        Set(broken, member, JsonNode.Parse(value));

        var result = RouteSchema(await DocumentAsync()).Evaluate(broken, Evaluation);

        Assert.False(result.IsValid);
        Assert.Contains(location, result.Details.Where(d => d.HasErrors).Select(d => d.InstanceLocation.ToString()));

        var key = await Fixture.CreateKeyAsync();
        var refused = await CallAsync(key, s =>
        {
            s.Put.Text(broken.ToJsonString()).ToUrl("/api/v1/providers/sandbox/routes/schema.broken");
            s.WithRequestHeader("Content-Type", "application/json");
        });
        var problem = await refused.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal([field], problem.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()));
    }

    private static void Set(JsonObject route, string pointer, JsonNode? value)
    {
        var segments = pointer.Trim('/').Split('/');
        JsonNode parent = route;
        foreach (var segment in segments[..^1]) parent = int.TryParse(segment, out var i) ? parent[i]! : parent[segment]!;
        if (int.TryParse(segments[^1], out var index)) parent.AsArray()[index] = value;
        else parent[segments[^1]] = value;
    }

    private static JsonSchema RouteSchema(JsonNode document) => Schema(document, "RouteTemplate");

    private static JsonSchema Schema(JsonNode document, string component) => JsonSchema.FromText(Standalone(document, component).ToJsonString());

    private static JsonObject Standalone(JsonNode document, string component) => component == "RoutePack"
        ? StandaloneSchema.Of(document, component, "RaffsSync route pack", "A provider and its routes, as routes/*.json and POST /api/v1/route-packs take them.")
        : StandaloneSchema.Of(document, component, "RaffsSync route", "One route, as PUT /api/v1/providers/{provider}/routes/{route_key} takes it.");

    private static void AssertValid(JsonSchema schema, JsonNode? instance, string what)
    {
        var result = schema.Evaluate(instance, Evaluation);
        var errors = result.Details.Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value} ({d.EvaluationPath})"));
        Assert.True(result.IsValid, $"{what} fails the route template schema:\n{string.Join("\n", errors)}");
    }

    private async Task<JsonNode> DocumentAsync()
    {
        var served = await Host.Scenario(s => { s.Get.Url("/openapi/v1.json"); s.StatusCodeShouldBeOk(); });
        return JsonNode.Parse(await served.ReadAsTextAsync())!;
    }

    /// <summary>The annotated route of the README's "Routes" section, comments dropped.</summary>
    private static JsonNode ReadmeRoute()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var section = readme[readme.IndexOf("## Routes: integrations as data", StringComparison.Ordinal)..];
        var start = section.IndexOf("```jsonc", StringComparison.Ordinal) + "```jsonc".Length;
        var block = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        return JsonNode.Parse(block, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
    }
}

/// <summary>
/// A component of the OpenAPI 3.0 document as a standalone JSON Schema (2020-12): the components it refers to become
/// <c>$defs</c>, <c>nullable</c> becomes a <c>null</c> type and <c>example</c> becomes <c>examples</c>.
/// </summary>
public static class StandaloneSchema
{
    private const string ComponentPrefix = "#/components/schemas/";

    public static JsonObject Of(JsonNode document, string component, string title, string description)
    {
        var components = document["components"]!["schemas"]!.AsObject();
        var defs = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var pending = new Queue<string>();
        var root = Convert(components[component]!, pending);
        while (pending.TryDequeue(out var name))
            if (name != component && !defs.ContainsKey(name)) defs[name] = Convert(components[name]!, pending);

        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = title,
            ["$comment"] = description + " Made from components.schemas." + component + " of /openapi/v1.json; do not edit by hand."
        };
        foreach (var (name, value) in root.AsObject().ToList())
        {
            root.AsObject().Remove(name);
            schema[name] = value;
        }
        if (defs.Count > 0) schema["$defs"] = new JsonObject(defs.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value)));
        return schema;
    }

    private static JsonNode Convert(JsonNode schema, Queue<string> referenced)
    {
        if (schema is not JsonObject keywords) return schema.DeepClone(); // true / false
        var converted = new JsonObject();
        var nullable = keywords["nullable"]?.GetValue<bool>() == true;
        foreach (var (keyword, value) in keywords)
        {
            switch (keyword)
            {
                case "nullable":
                    break;
                case "$ref" when value!.GetValue<string>().StartsWith(ComponentPrefix, StringComparison.Ordinal):
                    var target = value.GetValue<string>()[ComponentPrefix.Length..];
                    referenced.Enqueue(target);
                    converted["$ref"] = "#/$defs/" + target;
                    break;
                case "type" when nullable:
                    converted["type"] = new JsonArray(value!.DeepClone(), "null");
                    break;
                case "example":
                    converted["examples"] = new JsonArray(value?.DeepClone());
                    break;
                case "properties":
                    converted[keyword] = new JsonObject(value!.AsObject()
                        .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Convert(p.Value!, referenced))));
                    break;
                case "items" or "additionalProperties" or "not":
                    converted[keyword] = Convert(value!, referenced);
                    break;
                case "allOf" or "anyOf" or "oneOf":
                    converted[keyword] = new JsonArray(value!.AsArray().Select(s => (JsonNode?)Convert(s!, referenced)).ToArray());
                    break;
                default:
                    converted[keyword] = value?.DeepClone();
                    break;
            }
        }
        return converted;
    }
}
