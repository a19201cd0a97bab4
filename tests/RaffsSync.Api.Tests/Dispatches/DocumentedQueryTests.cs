using System.Text.Json;
using System.Text.RegularExpressions;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>
/// The served document against the code of the dispatch, audit and report operations: each query parameter the
/// document gives an operation is one its parser takes, a parameter it does not give is refused, and the CSV
/// export's columns are the documented row's properties.
/// </summary>
[Collection(DispatchQueryCollection.Name)]
public sealed partial class DocumentedQueryTests(AppFixture fixture) : ApiTest(fixture)
{
    // The operations that refuse a query parameter they do not know.
    private static readonly string[] Strict = ["listDispatches", "replayDispatches", "listAudit", "exportAudit", "verifyAudit", "reportDispatches"];

    [Fact]
    public async Task each_documented_query_parameter_is_accepted_and_an_undocumented_one_refused()
    {
        var key = await Fixture.CreateKeyAsync();
        var document = await DocumentAsync();
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Path: path.Name, Method: op.Name.ToUpperInvariant(), Operation: op.Value)))
            .Where(o => Strict.Contains(o.Operation.GetProperty("operationId").GetString()))
            .ToList();
        Assert.Equal(Strict.Length, operations.Count);

        foreach (var (path, method, operation) in operations)
        {
            var query = operation.GetProperty("parameters").EnumerateArray()
                .Where(p => p.TryGetProperty("in", out var where) && where.GetString() == "query").ToList();
            Assert.NotEmpty(query);
            foreach (var parameter in query)
            {
                var (name, value) = (parameter.GetProperty("name").GetString()!, SampleOf(parameter.GetProperty("schema")));
                var (status, unknown) = await UnknownParametersAsync(key, method, path, name, value);
                // The endpoint judged the request: a GET answers, or refuses the value (a cursor of "x"); a POST refuses its empty body.
                Assert.True((status == 200 && method == "GET" || status == 400) && unknown.Count == 0,
                    $"{method} {path}?{name}={value}: {status}, unknown [{string.Join(", ", unknown)}]");
            }
            var undocumented = await UnknownParametersAsync(key, method, path, "colour", "red");
            Assert.True(undocumented is (400, ["colour"]), $"{method} {path}?colour=red: {undocumented.Status}, unknown [{string.Join(", ", undocumented.Unknown)}]");
        }
    }

    [Fact]
    public async Task the_csv_export_has_the_columns_of_the_documented_row_in_their_order()
    {
        var key = await Fixture.CreateKeyAsync();
        var row = (await DocumentAsync()).GetProperty("components").GetProperty("schemas").GetProperty("AuditCsvRow");

        var csv = await CallAsync(key, s => s.Get.Url("/api/v1/audit/export?format=csv"));
        var header = (await csv.ReadAsTextAsync()).Split("\r\n")[0];

        Assert.Equal(row.GetProperty("properties").EnumerateObject().Select(p => p.Name), header.Split(','));
    }

    private async Task<JsonElement> DocumentAsync() =>
        JsonDocument.Parse(await (await Host.Scenario(s => s.Get.Url("/openapi/v1.json"))).ReadAsTextAsync()).RootElement;

    /// <summary>The status, and the fields a 400 names as unknown parameters. A POST sends <c>{}</c>, which is refused, so it starts nothing.</summary>
    private async Task<(int Status, IReadOnlyList<string> Unknown)> UnknownParametersAsync(string key, string method, string path, string name,
        string value)
    {
        var result = await CallAsync(key, s => (method == "POST" ? s.Post.Json(new { }).ToUrl(path) : s.Get.Url(path)).QueryString(name, value));
        var status = result.Context.Response.StatusCode;
        if (status != 400) return (status, []);
        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        return (status, problem.GetProperty("details").EnumerateArray()
            .Where(d => d.GetProperty("issue").GetString()!.StartsWith("unknown", StringComparison.Ordinal))
            .Select(d => d.GetProperty("field").GetString()!).ToList());
    }

    /// <summary>A value the parameter's schema allows.</summary>
    private static string SampleOf(JsonElement schema)
    {
        if (schema.TryGetProperty("default", out var preset)) return preset.ToString();
        if (schema.TryGetProperty("enum", out var values)) return values[0].GetString()!;
        if (schema.TryGetProperty("pattern", out var pattern) && FirstAlternative().Match(pattern.GetString()!) is { Success: true } first)
            return first.Groups[1].Value;
        if (schema.TryGetProperty("format", out var format) && format.GetString() is "date-time" or "date")
            return format.GetString() == "date" ? "2026-11-01" : "2026-11-01T00:00:00Z";
        if (schema.GetProperty("type").GetString() == "integer")
            return schema.TryGetProperty("minimum", out var minimum) ? minimum.ToString() : "1";
        return "x";
    }

    [GeneratedRegex(@"^\^\(([^|)]+)")]
    private static partial Regex FirstAlternative();
}
