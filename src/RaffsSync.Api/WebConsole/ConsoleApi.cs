using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RaffsSync.Api.Registry;

namespace RaffsSync.Api.WebConsole;

/// <summary>What the API answered: the value on success, the problem's code and message otherwise.</summary>
public sealed record ApiAnswer<T>(int Status, T? Value, string? Code, string? Message)
{
    public bool Succeeded => Status is >= 200 and < 300 && Value is not null;
}

/// <summary>
/// The console's only way to read or change anything: the public API on this node, called with the signed-in user's
/// session token. So every page shows exactly what the user's key may see, and every action is the API's own command,
/// with its validation, tenant isolation, rate limits and audit entry (marked with the console channel).
/// </summary>
public sealed class ConsoleApi(HttpClient http, IHttpContextAccessor accessor, SelfAddress self,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<ConsoleApi> logger)
{
    private JsonSerializerOptions Json => json.Value.SerializerOptions;

    public Task<ApiAnswer<T>> GetAsync<T>(string pathAndQuery, CancellationToken cancellation = default) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, pathAndQuery), cancellation);

    // The idempotency key comes from the form, so a form sent twice does its work once.
    public Task<ApiAnswer<T>> PostAsync<T>(string path, object? body, string? idempotencyKey, CancellationToken cancellation = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }, options: Json) };
        if (!string.IsNullOrWhiteSpace(idempotencyKey)) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return SendAsync<T>(request, cancellation);
    }

    /// <summary>
    /// Streams a download (an audit export) from the API to the browser as it is written, with its type and file name;
    /// a refusal comes back as an answer instead, for the console to show.
    /// </summary>
    public async Task<ApiAnswer<bool>> RelayAsync(string pathAndQuery, HttpResponse browser, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        var (response, unreachable) = await TrySendAsync<bool>(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        if (response is null) return unreachable!;
        using var _ = response;
        if (!response.IsSuccessStatusCode) return await RefusalAsync<bool>(response, cancellation);

        browser.StatusCode = (int)response.StatusCode;
        browser.ContentType = response.Content.Headers.ContentType?.ToString();
        if (response.Content.Headers.ContentDisposition is { } disposition) browser.Headers.ContentDisposition = disposition.ToString();
        await response.Content.CopyToAsync(browser.Body, cancellation);
        return new ApiAnswer<bool>(browser.StatusCode, true, null, null);
    }

    private async Task<ApiAnswer<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellation)
    {
        using (request)
        {
            var (response, unreachable) = await TrySendAsync<T>(request, HttpCompletionOption.ResponseContentRead, cancellation);
            if (response is null) return unreachable!;
            using var _ = response;
            return response.IsSuccessStatusCode
                ? new ApiAnswer<T>((int)response.StatusCode, await response.Content.ReadFromJsonAsync<T>(Json, cancellation), null, null)
                : await RefusalAsync<T>(response, cancellation);
        }
    }

    private async Task<(HttpResponseMessage? Response, ApiAnswer<T>? Unreachable)> TrySendAsync<T>(HttpRequestMessage request,
        HttpCompletionOption completion, CancellationToken cancellation)
    {
        var context = accessor.HttpContext ?? throw new InvalidOperationException("The console calls the API only while serving a page.");
        request.RequestUri = new Uri(new Uri(self.Resolve("/")), request.RequestUri!);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.Request.Cookies[ConsoleSessions.CookieName] ?? "");
        request.Headers.Add(ConsoleCallProof.HeaderName, ConsoleCallProof.Value);
        // The page's request id: the audit entries of what the page did name it.
        request.Headers.Add("X-Request-Id", context.TraceIdentifier);
        try { return (await http.SendAsync(request, completion, cancellation), null); }
        catch (HttpRequestException unreachable)
        {
            // Not the database's fault: the page could not reach this node's own API (RaffsSync__SelfUrl).
            logger.LogError(unreachable, "The console could not reach the API at {Address}", request.RequestUri);
            return (null, new ApiAnswer<T>(StatusCodes.Status503ServiceUnavailable, default, "api_unreachable",
                "The console could not reach this node's API. Try again; if it persists, check RaffsSync__SelfUrl."));
        }
    }

    private static async Task<ApiAnswer<T>> RefusalAsync<T>(HttpResponseMessage response, CancellationToken cancellation)
    {
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellation)
            : default;
        string? Text(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var message = Text(problem, "message") ?? response.ReasonPhrase;
        // The fields at fault, in the API's words, so a form or filter can be corrected without guessing.
        if (problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
        {
            var fields = details.EnumerateArray()
                .Select(d => $"{Text(d, "field")}: {Text(d, "issue")}{(Text(d, "hint") is { } hint ? $" ({hint})" : "")}")
                .ToList();
            if (fields.Count > 0) message = $"{message} {string.Join("; ", fields)}.";
        }
        return new ApiAnswer<T>((int)response.StatusCode, default, Text(problem, "code"), message);
    }
}
