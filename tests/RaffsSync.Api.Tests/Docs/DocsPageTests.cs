using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Docs;

/// <summary>
/// /docs as a reader sees it: Scalar's page in headless Chromium against the host on a loopback port.
/// What the page must show is read from the served /openapi/v1.json, so a parameter or field that the
/// document has and the page stops rendering fails the test.
/// </summary>
public sealed partial class DocsPageTests
{
    // Together: query, path and header parameters, a request body and a response schema.
    private static readonly (string Method, string Path)[] Sample =
    [
        ("get", "/api/v1/dispatches"),
        ("get", "/api/v1/dispatches/{id}"),
        ("post", "/api/v1/dispatches"),
    ];

    public const string ScreenshotPath = "/tmp/docs.png";

    [ChromiumFact]
    public async Task docs_shows_each_sampled_operation_with_its_parameters_and_schema_fields()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        using var http = new HttpClient { BaseAddress = host.Address };
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var operations = Sample.Select(o => DocumentedOperation.Read(document.RootElement, o.Method, o.Path)).ToList();
        AssertTheSampleCoversEveryKind(operations);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        // The page parses a 5 MB script and the whole document before it shows anything: seconds on an idle
        // machine, close to a minute on a loaded one. Only a page that never renders should fail.
        page.SetDefaultTimeout(120_000);
        var trouble = PageTrouble.Watch(page);

        await page.GotoAsync(new Uri(host.Address, "/docs/").ToString());
        var missing = new List<string>();
        foreach (var operation in operations) missing.AddRange(await MissingFromPageAsync(page, operation));
        await page.ScreenshotAsync(new() { Path = ScreenshotPath });

        Assert.True(missing.Count == 0, $"/docs does not show: {string.Join("; ", missing)} (screenshot: {ScreenshotPath})");
        Assert.True(trouble.Count == 0, $"/docs had trouble: {string.Join("; ", trouble)}");
    }

    private static void AssertTheSampleCoversEveryKind(IReadOnlyList<DocumentedOperation> operations)
    {
        foreach (var location in new[] { "query", "path", "header" })
            Assert.True(operations.Any(o => o.Parameters.Any(p => p.In == location)), $"no sampled operation documents a {location} parameter");
        Assert.True(operations.Any(o => o.BodyFields.Count > 0), "no sampled operation documents a request body with fields");
        Assert.True(operations.Any(o => o.ResponseFields.Count > 0), "no sampled operation documents a response with fields");
    }

    /// <summary>
    /// Opens the operation as a reader does, from the sidebar (Scalar renders sections only when visited),
    /// expands its success response and lists every documented name the section does not show.
    /// Scalar gives each rendered field an id: <c>{section}.query.{name}</c>, <c>{section}.body.{name}</c>,
    /// <c>{section}.responses.{status}.{name}</c>.
    /// </summary>
    private static async Task<List<string>> MissingFromPageAsync(IPage page, DocumentedOperation operation)
    {
        var sidebarEntry = page.Locator($"li[data-sidebar-id=\"{operation.SectionId}\"] > a");
        if (!await sidebarEntry.IsVisibleAsync())
            await page.Locator($"li[data-sidebar-id=\"{operation.TagSectionId}\"] > div > a").ClickAsync();
        await sidebarEntry.ClickAsync();

        var section = page.Locator($"section[id=\"{operation.SectionId}\"]");
        await section.Locator($"[id=\"{operation.SectionId}.responses.{operation.SuccessStatus}\"]").WaitForAsync();

        var missing = new List<string>();
        var heading = Whitespace().Replace(await section.Locator("h3").InnerTextAsync(), " ");
        if (!heading.Contains(Whitespace().Replace(operation.Summary, " ")))
            missing.Add($"{operation.Name}: summary \"{operation.Summary}\" (heading shows \"{heading}\")");

        async Task Expect(string kind, string name, string idSuffix)
        {
            var field = section.Locator($"[id=\"{operation.SectionId}.{idSuffix}\"]");
            if (await field.CountAsync() == 0 || !await field.First.IsVisibleAsync() || !(await field.First.InnerTextAsync()).Contains(name))
                missing.Add($"{operation.Name}: {kind} {name}");
        }

        foreach (var (location, name) in operation.Parameters)
            await Expect($"{location} parameter", name, $"{ScalarParameterGroup(location)}.{name}");
        foreach (var name in operation.BodyFields) await Expect("request body field", name, $"body.{name}");

        if (operation.ResponseFields.Count > 0)
        {
            var responseId = $"{operation.SectionId}.responses.{operation.SuccessStatus}";
            var responseFields = section.Locator($"[id^=\"{responseId}.\"]");
            if (await responseFields.CountAsync() == 0) await section.Locator($"[id=\"{responseId}\"]").ClickAsync();
            try { await responseFields.First.WaitForAsync(new() { Timeout = 10_000 }); }
            catch (TimeoutException) { /* each field is reported missing below */ }
            foreach (var name in operation.ResponseFields)
                await Expect($"{operation.SuccessStatus} response field", name, $"responses.{operation.SuccessStatus}.{name}");
        }

        return missing;
    }

    private static string ScalarParameterGroup(string location) => location switch
    {
        "header" => "headers",
        "cookie" => "cookies",
        _ => location
    };

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
