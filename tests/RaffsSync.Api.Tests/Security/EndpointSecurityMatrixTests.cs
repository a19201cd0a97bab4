using System.Text.Json;
using System.Text.RegularExpressions;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Tests.Security;

/// <summary>
/// Every operation in the OpenAPI document, read at run time so a new endpoint cannot skip it:
/// without credentials it answers 401, and with a valid key that holds no scope it answers 403.
/// (OWASP API2 broken authentication, API5 broken function level authorization.)
/// </summary>
[Collection(HttpContractCollection.Name)]
public sealed partial class EndpointSecurityMatrixTests(AppFixture fixture) : ApiTest(fixture)
{
    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    /// <summary>The only operations open without credentials, each for a stated reason.</summary>
    private static readonly IReadOnlyList<(string, string)> Anonymous =
    [
        ("POST", "/api/v1/oauth/token"), // RFC 6749: the client authenticates with its id and secret here
        ("POST", "/api/v1/inbound/{provider}/{connectionId}") // providers push events here; the signature is the credential (InboundEventTests)
    ];

    private async Task<IReadOnlyList<(string Method, string Path)>> OperationsAsync() =>
        (await OpenApiOperations.ReadAsync(Host)).Where(operation => !Anonymous.Contains(operation)).ToList();

    private Task<IScenarioResult> Send(string method, string path, string? key) => Host.Scenario(s =>
    {
        var url = RouteParameter().Replace(path, _ => Guid.NewGuid().ToString());
        switch (method)
        {
            case "GET": s.Get.Url(url); break;
            case "DELETE": s.Delete.Url(url); break;
            case "POST": s.Post.Json(new { }).ToUrl(url); break;
            case "PUT": s.Put.Json(new { }).ToUrl(url); break;
            case "PATCH": s.Patch.Json(new { }).ToUrl(url); break;
            default: throw new InvalidOperationException($"No request shape for {method}.");
        }
        if (key is not null) s.WithRequestHeader("Authorization", $"Bearer {key}");
        s.IgnoreStatusCode();
    });

    [Fact]
    public async Task the_matrix_covers_the_whole_api()
    {
        var operations = await OperationsAsync();

        Assert.True(operations.Count >= 25, $"only {operations.Count} operations found in the OpenAPI document");
        Assert.Contains(("POST", "/api/v1/dispatches"), operations);
        Assert.Contains(("PUT", "/api/v1/providers/{provider}/routes/{routeKey}"), operations);
        Assert.Contains(("DELETE", "/api/v1/locations/{tenantId}/connections/{id}"), operations);
    }

    [Fact]
    public async Task every_operation_answers_401_without_credentials()
    {
        var failures = new List<string>();
        foreach (var (method, path) in await OperationsAsync())
        {
            var result = await Send(method, path, key: null);
            if (result.Context.Response.StatusCode != 401) failures.Add($"{method} {path}: {result.Context.Response.StatusCode}");
            else await result.ShouldBeProblemAsync(401, "unauthenticated");
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task every_operation_answers_403_to_a_key_without_its_scope()
    {
        var scopeless = await Fixture.CreateKeyAsync(CallerClass.Customer, scopes: [], locations: ["29"]);
        var failures = new List<string>();
        foreach (var (method, path) in await OperationsAsync())
        {
            var result = await Send(method, path, scopeless);
            if (result.Context.Response.StatusCode != 403) failures.Add($"{method} {path}: {result.Context.Response.StatusCode}");
            else await result.ShouldBeProblemAsync(403, "insufficient_scope");
        }

        Assert.Empty(failures);
    }
}
