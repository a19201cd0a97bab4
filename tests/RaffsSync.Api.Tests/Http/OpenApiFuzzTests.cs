using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Input;

namespace RaffsSync.Api.Tests.Http;

/// <summary>
/// Hostile input against every operation of the live OpenAPI document: malformed, null and wrongly typed
/// bodies, NUL and lone surrogates in every string, 1 MB strings, nesting at and past the limit, %00 and
/// garbage in query parameters (every documented one, and others), odd Accept and Content-Type. Deterministic
/// (fixed seed). Asserts: no 5xx, problem+json with a request id on every error, every status one the document
/// lists for the operation, and no event appended by any refused request.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed partial class OpenApiFuzzTests(AppFixture fixture) : ApiTest(fixture)
{
    private const int Seed = 20261201;
    private const int MinimumRequests = 3_000;
    private const string TokenPath = "/api/v1/oauth/token";

    private sealed record Probe(string Method, string Url, byte[]? Body, string? ContentType, string? Accept, string What)
    {
        public string Template { get; init; } = "";
    }

    private static readonly string[] HostileJsonValues =
    [
        "null", "0", "-1", "1.5", "99999999999999999999999", "1e400", "1e131072", "1e-20000", "-1E+100000", "true", "[]", "{}", "[null]", "{\"a\":null}", "\"\"", "\"   \"",
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"ü漢字🙂\"", "\"../../etc/passwd\"", "\"<script>alert(1)</script>\"",
        "\"' or 1=1 --\"", "\"{{payload.x}}\"", "\"%00\"", "\"9999999999999999999999\"", "[\"\\u0000\"]", "{\"\\u0000\":1}",
        Nested(JsonInput.MaxDepth - 2), Nested(JsonInput.MaxDepth), Nested(100)
    ];

    private static readonly string[] WholeBodies =
    [
        "", "{", "}", "null", "[]", "42", "\"text\"", "true", "{\"a\":", "{\"a\" 1}", "{'a': 1}", "{\"a\":1,\"a\":2}", "\uFEFF{}",
        Nested(JsonInput.MaxDepth + 5), "{\"x\":\"" + new string('x', 1_000_000) + "\"}", new string(' ', 100_000)
    ];

    private static readonly string[] QueryNames =
    [
        "page", "per_page", "sort", "filter[status]", "filter[tenant_id]", "filter[provider]", "filter[route_key]", "filter[route_version]",
        "created_at[gte]", "created_at[lt]", "tenant_id", "provider", "route_key", "status", "cursor", "limit", "from", "to", "group_by",
        "format", "event_type", "stream_id", "actor", "request_id", "occurred_at[gte]", "occurred_at[lt]", "route_version"
    ];

    private static readonly string[] QueryValues =
    [
        "%00", "a%00b", "-1", "0", "99999999999999999999", "2147483647", "abc", "%FF%FE", "%C3%A9", "..%2F..", "'%20or%201=1--", "%5B%5D", "null",
        "2026-13-45", "-created_at,,", "%E2%80%AE", new string('x', 2_000), "status,provider,day,tenant_id,route_key,unknown"
    ];

    private static readonly string[] PathValues =
    [
        "x", "0", "-1", "99999999999999999999", "%C3%A9x", "%2E%2E", "%20", "a%2Fb", "rsk_test_nope", new string('p', 500),
        "00000000-0000-0000-0000-000000000000", "%E2%80%AE", "%F0%9F%99%82"
    ];

    private static readonly string?[] Accepts = ["text/html", "application/xml", "text/plain", "image/png", "*/*", "application/json;q=0", null];
    private static readonly string?[] ContentTypes =
        ["text/plain", "application/xml", "application/json; charset=utf-16", "multipart/form-data", "application/x-www-form-urlencoded", null];

    /// <summary>Realistic bodies per operation, mutated one top-level field at a time to reach deep code.</summary>
    private static readonly Dictionary<string, string> BaseBodies = new()
    {
        ["POST /api/v1/dispatches"] = """{"tenant_id":"29","provider":"sandbox","route_key":"orders.push","payload":{"customer":"Ana"}}""",
        ["POST /api/v1/providers"] = """{"key":"fuzzed","name":"F","auth_kind":"none","base_urls":{"sandbox":"https://a.example","production":"https://a.example"}}""",
        ["PUT /api/v1/providers/{provider}"] = """{"name":"F","auth_kind":"none","base_urls":{"sandbox":"https://a.example","production":"https://a.example"}}""",
        ["PUT /api/v1/providers/{provider}/routes/{route_key}"] = """{"kind":"http","request":{"method":"POST","path":"/x","headers":{"A":"b"},"query":{"q":"1"},"body":"payload"},"success":[200],"error_rules":[{"status":[500],"action":"retry"}],"backoff":{"strategy":"exponential","initial":"PT1S","max_attempts":2}}""",
        ["POST /api/v1/providers/{provider}/routes/{route_key}/render"] = """{"tenant_id":"29","payload":{"a":1}}""",
        ["POST /api/v1/route-packs"] = """{"provider":{"key":"packed","name":"P","auth_kind":"none","base_urls":{"sandbox":"https://a.example","production":"https://a.example"}},"routes":{"r":{"kind":"http","request":{"method":"GET","path":"/r"}}}}""",
        ["POST /api/v1/customers"] = """{"name":"Fuzz customer"}""",
        ["POST /api/v1/customers/{id}/locations"] = """{"tenant_id":"fz1","name":"Fuzz location"}""",
        ["POST /api/v1/locations/{tenant_id}/connections"] = """{"provider":"sandbox","environment":"sandbox","credentials":{"token":"t"},"settings":{"outlet_id":"O"}}""",
        ["PUT /api/v1/locations/{tenant_id}/connections/{id}"] = """{"credentials":{"token":"t"},"settings":{"outlet_id":"O"}}""",
        ["POST /api/v1/api-keys"] = """{"name":"k","scopes":["dispatches:read"],"environment":"sandbox","caller_class":"internal","locations":["29"]}""",
        ["POST /api/v1/oauth/clients"] = """{"name":"c","scopes":["dispatches:read"],"caller_class":"internal"}""",
        ["POST /api/v1/oauth/token"] = """{"grant_type":"client_credentials","client_id":"x","client_secret":"y"}""",
        ["POST /api/v1/dispatches/{id}/replay"] = """{"route_version":"current","reason":"fuzz"}""",
        ["POST /api/v1/dispatches/{id}/cancel"] = """{"reason":"fuzz"}""",
        ["POST /api/v1/dispatches/replay"] = """{"route_version":"pinned","reason":"fuzz"}""",
        ["POST /api/v1/webhooks/endpoints"] = """{"url":"https://127.0.0.1/fuzz","description":"F","event_types":["dispatch.*"],"tenant_ids":["29"],"enabled":true,"ordered":false,"rate_limit":5,"customer_id":"cus_0193a3f4c2b87d10a5e6f7a8b9c0d1e2"}""",
        ["PATCH /api/v1/webhooks/endpoints/{id}"] = """{"url":"https://127.0.0.1/fuzz","description":"F","event_types":["*"],"tenant_ids":[],"enabled":true,"ordered":true,"rate_limit":5}"""
    };

    private static string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels)) + "1" + new string('}', levels);

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex PathParameter();

    [Fact]
    public async Task hostile_input_to_every_operation_never_reaches_a_5xx_always_answers_a_problem_and_writes_nothing_when_refused()
    {
        var key = await Fixture.CreateKeyAsync();
        var operations = await OpenApiOperations.ReadAsync(Host);
        Assert.True(operations.Count >= 40, $"only {operations.Count} operations in the document");
        var dispatch = await Host.Scenario(PostDispatch(key, new { tenant_id = "29", provider = "sandbox", route_key = "orders.push", payload = new { } }));
        var real = new Dictionary<string, string>
        {
            ["provider"] = "sandbox", ["route_key"] = "orders.push", ["tenant_id"] = "29", ["n"] = "1",
            ["id"] = dispatch.Context.Response.Headers.Location.ToString().Split('/')[^1], ["client_id"] = "nope"
        };

        var contract = await OpenApiOperations.ReadContractAsync(Host);
        var random = new Random(Seed);
        var probes = operations.SelectMany(o => ProbesFor(o.Method, o.Path, contract[(o.Method, o.Path)].Query, real, random)
            .Select(p => p with { Template = o.Path })).ToList();
        Assert.True(probes.Count >= MinimumRequests, $"only {probes.Count} requests");

        var maxSequence = await Fixture.ScalarAsync("select coalesce(max(seq_id), 0) from raffssync.mt_events");
        using var client = Host.Server.CreateClient();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var refused = new System.Collections.Concurrent.ConcurrentBag<string>();
        var undocumented = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(probes.Select((p, i) => (p, i)), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (item, cancellation) =>
        {
            var (probe, i) = item;
            var requestId = $"fuzz-{i}";
            using var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Url);
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {key}");
            request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
            if (probe.Accept is not null) request.Headers.TryAddWithoutValidation("Accept", probe.Accept);
            if (probe.Body is not null)
            {
                request.Content = new ByteArrayContent(probe.Body);
                if (probe.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
            }
            using var response = await client.SendAsync(request, cancellation);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellation);
            var what = $"{probe.Method} {Shorten(probe.Url)} [{probe.What}] -> {status}";
            // A dot segment (%2E%2E) makes the path another resource's, whose statuses are its own.
            if (!probe.Url.Contains("%2E%2E", StringComparison.Ordinal) && !contract[(probe.Method, probe.Template)].Statuses.Contains(status))
                undocumented.TryAdd($"{probe.Method} {probe.Template} {status}", what);
            if (status < 400) return;
            refused.Add(requestId);
            if (status >= 500) failures.Enqueue($"{what}: {Shorten(text)}");
            else if (probe.Url.StartsWith(TokenPath, StringComparison.Ordinal) && status is 400 or 401)
            {
                // RFC 6749 section 5.2: token errors carry an 'error' member (the endpoint's own answers are application/json).
                if (!text.Contains("\"error\":", StringComparison.Ordinal)) failures.Enqueue($"{what}: not an RFC 6749 error {Shorten(text)}");
            }
            else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") failures.Enqueue($"{what}: content type {response.Content.Headers.ContentType}");
            else
            {
                try
                {
                    var problem = JsonDocument.Parse(text).RootElement;
                    if (problem.GetProperty("request_id").GetString() != requestId || problem.GetProperty("status").GetInt32() != status
                        || string.IsNullOrEmpty(problem.GetProperty("code").GetString()) || problem.GetProperty("details").ValueKind != JsonValueKind.Array)
                        failures.Enqueue($"{what}: incomplete problem {Shorten(text)}");
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    failures.Enqueue($"{what}: not a problem body {Shorten(text)}");
                }
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {probes.Count} requests broke the contract:\n" + string.Join("\n", failures.Take(60)));
        Assert.True(undocumented.IsEmpty, "Statuses the document does not list for the operation (operation, status: an example):\n"
            + string.Join("\n", undocumented.OrderBy(u => u.Key).Select(u => $"{u.Key}: {u.Value}")));
        Assert.True(refused.Count > probes.Count / 2, $"only {refused.Count} of {probes.Count} were refused: the probes are not hostile");
        var written = await Fixture.ScalarAsync(
            "select count(*) from raffssync.mt_events where seq_id > $1 and (correlation_id is null or correlation_id = any($2))",
            maxSequence, refused.ToArray());
        Assert.True(written == 0, $"{written} events written by refused requests or without a request id: " + await Fixture.TextAsync(
            "select string_agg(type || ' ' || coalesce(correlation_id, '(none)') || ' ' || data::text, ', ') from raffssync.mt_events " +
            "where seq_id > $1 and (correlation_id is null or correlation_id = any($2))", maxSequence, refused.ToArray())
            + "\n" + string.Join("\n", Fixture.Logs.Lines.Where(l => l.StartsWith("Error")).Take(3)));
    }

    private static IEnumerable<Probe> ProbesFor(string method, string template, IReadOnlyList<string> documentedQuery,
        IReadOnlyDictionary<string, string> real, Random random)
    {
        var parameters = PathParameter().Matches(template).Select(m => m.Groups[1].Value).ToList();
        string Path(Func<string, string> value) => PathParameter().Replace(template, m => value(m.Groups[1].Value));
        var realPath = Path(name => real.GetValueOrDefault(name, "x"));
        var hasBody = method is "POST" or "PUT" or "PATCH";
        BaseBodies.TryGetValue($"{method} {template}", out var baseBody);

        // Path parameters: each hostile value in each position.
        foreach (var name in parameters)
            foreach (var value in PathValues)
                yield return new Probe(method, Path(n => n == name ? value : real.GetValueOrDefault(n, "x")), hasBody ? Utf8(baseBody ?? "{}") : null,
                    "application/json", null, $"path {name}");

        // Query parameters: every documented one and a sample of others, with hostile values.
        foreach (var value in QueryValues)
            foreach (var name in documentedQuery.Concat(QueryNames.Except(documentedQuery).OrderBy(_ => random.Next()).Take(2)))
                yield return new Probe(method, $"{realPath}?{Uri.EscapeDataString(name)}={value}", hasBody ? Utf8(baseBody ?? "{}") : null,
                    "application/json", null, $"query {name}");

        // Accept and Content-Type.
        foreach (var accept in Accepts)
            foreach (var contentType in hasBody ? ContentTypes : [null])
                yield return new Probe(method, realPath, hasBody ? Utf8(baseBody ?? "{\"a\":1}") : null, contentType, accept, $"accept {accept}, type {contentType}");

        if (!hasBody) yield break;

        foreach (var body in WholeBodies)
            yield return new Probe(method, realPath, Utf8(body), "application/json", null, $"body {Shorten(body)}");
        yield return new Probe(method, realPath, [0xFF, 0xFE, 0x7B, 0x7D], "application/json", null, "invalid UTF-8");
        yield return new Probe(method, realPath, [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D], "application/json", null, "invalid UTF-8 in a string");

        // Each top-level field of a realistic body (or a set of usual names), with every hostile value.
        var fields = baseBody is null
            ? ["name", "tenant_id", "provider", "reason", "payload"]
            : JsonDocument.Parse(baseBody).RootElement.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var field in fields)
            foreach (var value in HostileJsonValues)
                yield return new Probe(method, realPath, Utf8(WithField(baseBody ?? "{}", field, value)), "application/json", null, $"{field}={Shorten(value)}");
        foreach (var value in HostileJsonValues.OrderBy(_ => random.Next()).Take(6))
            yield return new Probe(method, realPath, Utf8(WithField(baseBody ?? "{}", "x" + random.Next(1000), value)), "application/json", null, "unknown field");
        // Strings near the size bounds, once per body.
        yield return new Probe(method, realPath, Utf8(WithField(baseBody ?? "{}", fields[0], "\"" + new string('s', 1_000_001) + "\"")), "application/json", null, "1 MB string");
    }

    private static string WithField(string body, string field, string rawValue)
    {
        var properties = JsonDocument.Parse(body).RootElement.EnumerateObject().Where(p => p.Name != field)
            .Select(p => $"{JsonSerializer.Serialize(p.Name)}:{p.Value.GetRawText()}");
        return "{" + string.Join(",", properties.Append($"{JsonSerializer.Serialize(field)}:{rawValue}")) + "}";
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "...";
}
