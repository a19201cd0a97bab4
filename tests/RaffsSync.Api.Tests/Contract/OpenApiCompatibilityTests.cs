using System.Text.Json.Nodes;

namespace RaffsSync.Api.Tests.Contract;

public sealed class OpenApiCompatibilityTests
{
    private const string Earlier = """
        {
          "paths": {
            "/api/v1/things": {
              "get": {
                "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "closed"]}}],
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
              },
              "post": {
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}}},
                "responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
              }
            },
            "/api/v1/things/{id}": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}
          },
          "components": {"schemas": {
            "Thing": {"type": "object", "properties": {"id": {"type": "string"}, "count": {"type": "integer"},
                      "state": {"type": "string", "enum": ["open", "closed"]}, "tags": {"type": "array", "items": {"type": "string"}}}},
            "NewThing": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 100}, "note": {"type": "string", "nullable": true}}}
          }}
        }
        """;

    private static IReadOnlyList<string> BreaksAfter(Action<JsonNode> change)
    {
        var later = JsonNode.Parse(Earlier)!;
        change(later);
        return OpenApiCompatibility.BreakingChanges(JsonNode.Parse(Earlier)!, later);
    }

    private static JsonObject Schema(JsonNode document, string name) => document["components"]!["schemas"]![name]!.AsObject();

    [Fact]
    public void the_same_document_is_compatible() => Assert.Empty(BreaksAfter(_ => { }));

    [Fact]
    public void additions_are_compatible() => Assert.Empty(BreaksAfter(d =>
    {
        d["paths"]!["/api/v1/others"] = JsonNode.Parse("""{"get": {"responses": {"200": {}}}}""");
        Schema(d, "Thing")["properties"]!["label"] = JsonNode.Parse("""{"type": "string"}""");
        Schema(d, "NewThing")["properties"]!["colour"] = JsonNode.Parse("""{"type": "string"}""");
        Schema(d, "NewThing")["properties"]!["name"]!["maxLength"] = 200;
        ((JsonArray)Schema(d, "Thing")["properties"]!["state"]!["enum"]!).Add("archived");
        d["paths"]!["/api/v1/things"]!["get"]!["responses"]!["404"] = JsonNode.Parse("{}");
        ((JsonArray)d["paths"]!["/api/v1/things"]!["get"]!["parameters"]!).Add(JsonNode.Parse("""{"name": "q", "in": "query", "schema": {"type": "string"}}"""));
    }));

    [Fact]
    public void a_removed_path_breaks() =>
        Assert.Contains("/api/v1/things/{id}: path removed", BreaksAfter(d => d["paths"]!.AsObject().Remove("/api/v1/things/{id}")));

    [Fact]
    public void a_removed_operation_breaks() =>
        Assert.Contains("POST /api/v1/things: operation removed", BreaksAfter(d => d["paths"]!["/api/v1/things"]!.AsObject().Remove("post")));

    [Fact]
    public void a_removed_success_response_breaks() =>
        Assert.Contains("POST /api/v1/things: 201 response removed",
            BreaksAfter(d => d["paths"]!["/api/v1/things"]!["post"]!["responses"]!.AsObject().Remove("201")));

    [Fact]
    public void a_removed_response_field_breaks_wherever_the_schema_is_used()
    {
        var breaks = BreaksAfter(d => Schema(d, "Thing")["properties"]!.AsObject().Remove("count"));
        Assert.Contains("GET /api/v1/things 200 response: field 'count' removed", breaks);
        Assert.Contains("GET /api/v1/things/{id} 200 response: field 'count' removed", breaks);
    }

    [Fact]
    public void a_removed_enum_value_breaks_in_responses_and_parameters()
    {
        Assert.Contains("GET /api/v1/things 200 response.state: enum value \"closed\" removed",
            BreaksAfter(d => Schema(d, "Thing")["properties"]!["state"]!["enum"] = new JsonArray("open")));
        Assert.Contains("GET /api/v1/things query parameter 'status': enum value \"closed\" removed",
            BreaksAfter(d => d["paths"]!["/api/v1/things"]!["get"]!["parameters"]![0]!["schema"]!["enum"] = new JsonArray("open")));
    }

    [Fact]
    public void stating_the_string_type_of_an_enum_of_names_is_compatible()
    {
        var earlier = JsonNode.Parse(Earlier)!;
        Schema(earlier, "Thing")["properties"]!["state"]!.AsObject().Remove("type");
        var later = JsonNode.Parse(Earlier)!;
        Assert.Empty(OpenApiCompatibility.BreakingChanges(earlier, later));
        Assert.NotEmpty(OpenApiCompatibility.BreakingChanges(later, earlier));
    }

    [Fact]
    public void a_changed_type_breaks() =>
        Assert.Contains("GET /api/v1/things 200 response.count: type integer became string",
            BreaksAfter(d => Schema(d, "Thing")["properties"]!["count"]!["type"] = "string"));

    [Fact]
    public void a_narrowed_request_type_breaks()
    {
        Assert.Contains("POST /api/v1/things request body.name: maxLength 100 became 50",
            BreaksAfter(d => Schema(d, "NewThing")["properties"]!["name"]!["maxLength"] = 50));
        Assert.Contains("POST /api/v1/things request body.note: no longer nullable",
            BreaksAfter(d => Schema(d, "NewThing")["properties"]!["note"]!.AsObject().Remove("nullable")));
        Assert.Contains("POST /api/v1/things request body.note: new maxLength 10",
            BreaksAfter(d => Schema(d, "NewThing")["properties"]!["note"]!["maxLength"] = 10));
    }

    [Fact]
    public void a_new_required_request_field_or_parameter_breaks()
    {
        Assert.Contains("POST /api/v1/things request body: new required field 'note'",
            BreaksAfter(d => Schema(d, "NewThing")["required"] = new JsonArray("name", "note")));
        Assert.Contains("GET /api/v1/things: new required header parameter 'X-Thing'",
            BreaksAfter(d => ((JsonArray)d["paths"]!["/api/v1/things"]!["get"]!["parameters"]!)
                .Add(JsonNode.Parse("""{"name": "X-Thing", "in": "header", "required": true, "schema": {"type": "string"}}"""))));
    }

    [Fact]
    public void a_removed_parameter_breaks() =>
        Assert.Contains("GET /api/v1/things: query parameter 'status' removed",
            BreaksAfter(d => d["paths"]!["/api/v1/things"]!["get"]!.AsObject().Remove("parameters")));
}
