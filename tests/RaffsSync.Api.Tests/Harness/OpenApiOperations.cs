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
}
