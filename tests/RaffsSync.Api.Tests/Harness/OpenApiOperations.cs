using System.Text.Json;
using Alba;

namespace RaffsSync.Api.Tests.Harness;

public static class OpenApiOperations
{
    /// <summary>Every (method, path) of /api/v1/ in the host's OpenAPI document, read at run time.</summary>
    public static async Task<IReadOnlyList<(string Method, string Path)>> ReadAsync(IAlbaHost host)
    {
        var document = await host.Scenario(s => { s.Get.Url("/openapi/v1.json"); s.StatusCodeShouldBeOk(); });
        return JsonDocument.Parse(await document.ReadAsTextAsync()).RootElement.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/v1/"))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (o.Name.ToUpperInvariant(), p.Name)))
            .ToList();
    }

    /// <summary>What the document says of each operation: the statuses it answers and its query parameters.</summary>
    public static async Task<IReadOnlyDictionary<(string Method, string Path), (HashSet<int> Statuses, IReadOnlyList<string> Query)>> ReadContractAsync(IAlbaHost host)
    {
        var document = await host.Scenario(s => { s.Get.Url("/openapi/v1.json"); s.StatusCodeShouldBeOk(); });
        var root = JsonDocument.Parse(await document.ReadAsTextAsync()).RootElement;
        IEnumerable<JsonElement> Parameters(JsonElement operation) =>
            operation.TryGetProperty("parameters", out var list)
                ? list.EnumerateArray().Select(p => p.TryGetProperty("$ref", out var reference)
                    ? root.GetProperty("components").GetProperty("parameters").GetProperty(reference.GetString()!.Split('/')[^1])
                    : p)
                : [];
        return root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => (
                Key: (operation.Name.ToUpperInvariant(), path.Name),
                Statuses: operation.Value.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name)).ToHashSet(),
                Query: (IReadOnlyList<string>)Parameters(operation.Value).Where(p => p.GetProperty("in").GetString() == "query")
                    .Select(p => p.GetProperty("name").GetString()!).ToList())))
            .ToDictionary(o => o.Key, o => (o.Statuses, o.Query));
    }
}
