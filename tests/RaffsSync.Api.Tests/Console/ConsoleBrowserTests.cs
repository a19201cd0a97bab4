using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Api.Access;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using static Microsoft.Playwright.Assertions;

namespace RaffsSync.Api.Tests.Console;

/// <summary>
/// The console as a customer uses it: headless Chromium against the real host on a loopback port, a provider that
/// is a real HTTP server, and the API (over HTTP) to make dispatches and read what the console did.
/// Screenshots of each view are written to <see cref="ScreenshotDirectory"/>.
/// </summary>
public sealed partial class ConsoleBrowserTests
{
    public static readonly string ScreenshotDirectory = Path.Combine(Repository.Root, "TestResults", "console");

    /// <summary>Long enough for a loaded CI machine: a status still not final after this is a failure.</summary>
    private const float Patience = 30_000;

    [ChromiumFact]
    public async Task a_customer_signs_in_sees_dispatches_replays_one_and_a_filter_and_cannot_see_anothers()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        await using var provider = await LoopbackProvider.StartAsync();
        var api = new Api(host);
        var (customerKey, otherCustomersDispatch) = await api.TwoCustomersWithAProviderAsync(provider.BaseUrl);

        await using var console = await ConsoleBrowser.OpenAsync(host, 1280, 900);
        var (context, page, trouble) = (console.Context, console.Page, console.Trouble);

        // Signing in: the console sends a visitor without a session to sign in, then back where they were going.
        await page.GotoAsync("/console/dispatches?status=failed");
        await Expect(page).ToHaveURLAsync(new Regex("/console/sign-in"));
        await SignInAsync(page, customerKey);
        await Expect(page).ToHaveURLAsync(new Regex("/console/dispatches\\?status=failed$"));
        await AssertTheSessionCookieIsGuardedAsync(context, page, customerKey);

        // A dispatch made through the API appears and turns succeeded on its own page, without a reload.
        provider.Reply(201);
        var succeeding = await api.DispatchAsync(customerKey, "orders");
        await page.GotoAsync("/console/dispatches");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = succeeding })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = succeeding }).ClickAsync();
        await Expect(page.Locator(".facts .status").First).ToHaveTextAsync("succeeded");
        await ScreenshotAsync(page, "dispatch-succeeded");

        // A failed one is replayed from its page (reason required) and succeeds.
        provider.Reply(400);
        var failing = await api.DispatchAsync(customerKey, "orders");
        await api.WaitForStatusAsync(customerKey, failing, "failed");
        await page.GotoAsync($"/console/dispatches/{failing}");
        await Expect(page.Locator(".facts .status").First).ToHaveTextAsync("failed");
        await ScreenshotAsync(page, "dispatch-failed");
        provider.Reply(201);
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("provider fixed their validation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay this dispatch" }).ClickAsync();
        await Expect(page.Locator(".facts .status").First).ToHaveTextAsync("succeeded");
        Assert.Equal("succeeded", await api.StatusAsync(customerKey, failing));

        // The audit log says the replay came from the console, by the customer's key, with the reason.
        var replayEntry = await api.AuditEntryAsync(customerKey, failing, "dispatch_replay_requested");
        Assert.Equal("console", replayEntry.GetProperty("channel").GetString());
        Assert.Equal("customer", replayEntry.GetProperty("caller_class").GetString());
        Assert.Contains("provider fixed their validation", replayEntry.GetProperty("data").GetRawText());
        var apiEntry = await api.AuditEntryAsync(customerKey, failing, "dispatch_requested");
        Assert.Equal(JsonValueKind.Null, apiEntry.GetProperty("channel").ValueKind);

        // The console's audit view shows the same: the replay by the console, the request by the API.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("Stream").FillAsync(failing);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var replayRow = page.Locator("tbody tr").Filter(new() { HasText = "dispatch replay requested" });
        await Expect(replayRow.Locator("td").Nth(2)).ToHaveTextAsync("console");
        await Expect(page.Locator("tbody tr").Filter(new() { HasText = "dispatch requested" }).Locator("td").Nth(2)).ToHaveTextAsync("api");
        await ScreenshotAsync(page, "audit");

        // A bulk replay over a filter replays exactly what the filter selects, and runs to completion.
        provider.Reply(400);
        var bulkOne = await api.DispatchAsync(customerKey, "bulk");
        await api.WaitForStatusAsync(customerKey, bulkOne, "failed");
        provider.Reply(400);
        var bulkTwo = await api.DispatchAsync(customerKey, "bulk");
        await api.WaitForStatusAsync(customerKey, bulkTwo, "failed");
        provider.Reply(400);
        var notSelected = await api.DispatchAsync(customerKey, "orders");
        await api.WaitForStatusAsync(customerKey, notSelected, "failed");
        provider.Reply(201);
        provider.Reply(201);

        await page.GotoAsync("/console/dispatches");
        await page.GetByLabel("Route", new() { Exact = true }).FillAsync("bulk");
        await page.GetByLabel("Status", new() { Exact = true }).FillAsync("failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "dispatches-filtered");
        await page.GetByText("Replay every unsuccessful dispatch this filter selects").ClickAsync();
        await page.Locator("details.bulk").GetByLabel("Reason (recorded in the audit log)").FillAsync("bulk: provider back");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start bulk replay" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/console/replay-jobs/"));
        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("completed");
        await Expect(page.Locator("#replayed")).ToHaveTextAsync("2");
        await ScreenshotAsync(page, "bulk-replay");
        Assert.Equal("succeeded", await api.WaitForStatusAsync(customerKey, bulkOne, "succeeded"));
        Assert.Equal("succeeded", await api.WaitForStatusAsync(customerKey, bulkTwo, "succeeded"));
        Assert.Equal("failed", await api.StatusAsync(customerKey, notSelected));

        // Another customer's dispatch is not found, as in the API.
        var foreign = await page.GotoAsync($"/console/dispatches/{otherCustomersDispatch}");
        Assert.Equal(404, foreign!.Status);
        lock (trouble) Assert.Equal(1, trouble.RemoveAll(t => t.Contains("status of 404")));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        Assert.DoesNotContain("other-29", await page.ContentAsync());
        await ScreenshotAsync(page, "not-found");

        // Signing out ends the session on the server: the old cookie no longer opens the console.
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "raffssync_console");
        await page.GotoAsync("/console/dispatches");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/console/sign-in"));
        await context.AddCookiesAsync([new() { Name = cookie.Name, Value = cookie.Value, Domain = cookie.Domain, Path = cookie.Path }]);
        await page.GotoAsync("/console/dispatches");
        await Expect(page).ToHaveURLAsync(new Regex("/console/sign-in"));

        AssertNoTrouble(trouble);
    }

    [ChromiumFact]
    public async Task a_new_user_sends_a_sandbox_dispatch_that_fails_from_the_console_and_replays_it_to_success_without_curl()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        var api = new Api(host);
        var (customerKey, _) = await api.TwoCustomersWithAProviderAsync("http://127.0.0.1:9");

        await using var console = await ConsoleBrowser.OpenAsync(host, 1280, 900);
        var (context, page, trouble) = (console.Context, console.Page, console.Trouble);

        // The README's link fills the form in; signing in comes back to it.
        await page.GotoAsync("/console/dispatches/new?provider=sandbox&route_key=status.once&payload=%7B%22status%22%3A%20400%7D");
        await SignInAsync(page, customerKey);
        await Expect(page.GetByLabel("Route")).ToHaveValueAsync("status.once");
        await Expect(page.GetByLabel("Location")).ToHaveValueAsync("mine-29");
        await ScreenshotAsync(page, "new-dispatch");

        // Payload that is not JSON is refused before anything is sent.
        await page.GetByLabel("Payload (JSON)").FillAsync("{\"status\": 400");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The payload is not JSON");
        await page.GetByLabel("Payload (JSON)").FillAsync("{\"status\": 400}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/console/dispatches/[0-9a-f-]{36}$"));
        await Expect(page.Locator(".facts .status").First).ToHaveTextAsync("failed");
        var id = page.Url.Split('/')[^1];
        await page.GetByLabel("Reason (recorded in the audit log)").FillAsync("trying the console");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay this dispatch" }).ClickAsync();
        await Expect(page.Locator(".facts .status").First).ToHaveTextAsync("succeeded");
        Assert.Equal("succeeded", await api.StatusAsync(customerKey, id));
        Assert.Equal("console", (await api.AuditEntryAsync(customerKey, id, "dispatch_requested")).GetProperty("channel").GetString());

        AssertNoTrouble(trouble);
    }

    [ChromiumFact]
    public async Task issues_close_when_replayed_and_routes_reports_connections_and_the_audit_export_show_what_the_key_may_see()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        await using var provider = await LoopbackProvider.StartAsync();
        var api = new Api(host);
        var (customerKey, _) = await api.TwoCustomersWithAProviderAsync(provider.BaseUrl);
        await api.ReviseRouteAsync("orders", "/orders-v2");
        const string secret = "sk_console_never_shown_29";
        await api.ConnectAsync(secret);
        var failures = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            provider.Reply(400);
            failures.Add(await api.DispatchAsync(customerKey, "orders"));
            await api.WaitForStatusAsync(customerKey, failures[^1], "failed");
        }

        await using var console = await ConsoleBrowser.OpenAsync(host, 1280, 900);
        var (context, page, trouble) = (console.Context, console.Page, console.Trouble);
        await page.GotoAsync("/console/issues");
        await SignInAsync(page, customerKey);

        // The two failures are one issue; replaying them (bulk, from the issue) closes it.
        var issue = page.Locator("tbody tr").Filter(new() { HasText = "console-pos / orders" });
        await Expect(issue).ToHaveCountAsync(1);
        await Expect(issue.Locator("td").Nth(2)).ToHaveTextAsync("2");
        await ScreenshotAsync(page, "issues");
        await issue.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);
        provider.Reply(201);
        provider.Reply(201);
        await page.GetByText("Replay every unsuccessful dispatch this filter selects").ClickAsync();
        await page.Locator("details.bulk").GetByLabel("Reason (recorded in the audit log)").FillAsync("issue fixed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start bulk replay" }).ClickAsync();
        await Expect(page.Locator(".facts .status")).ToHaveTextAsync("completed");
        foreach (var id in failures) Assert.Equal("succeeded", await api.WaitForStatusAsync(customerKey, id, "succeeded"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Issues" }).ClickAsync();
        await Expect(page.GetByText("No open failures")).ToBeVisibleAsync();

        // The dispatch names the route version it ran with, and links to it; two versions compare side by side.
        await page.GotoAsync($"/console/dispatches/{failures[0]}");
        await page.GetByRole(AriaRole.Link, new() { Name = "version 2" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Version 2 (current)" })).ToBeVisibleAsync();
        await page.GetByLabel("Compare version").SelectOptionAsync("1");
        await page.GetByLabel("with version").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await Expect(page.Locator(".diff td.removed")).ToContainTextAsync("\"/orders\"");
        await Expect(page.Locator(".diff td.added")).ToContainTextAsync("\"/orders-v2\"");
        await ScreenshotAsync(page, "route-compare");

        // The dry run renders what a dispatch would send; bad JSON and another customer's location are refused.
        await page.GetByLabel("Location").FillAsync("mine-29");
        await page.GetByLabel("Payload (JSON)").FillAsync("""{"n": 7}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Render" }).ClickAsync();
        await Expect(page.GetByTestId("rendered")).ToContainTextAsync($"POST {provider.BaseUrl.TrimEnd('/')}/orders-v2");
        await Expect(page.GetByTestId("rendered")).ToContainTextAsync("\"n\":7");
        await ScreenshotAsync(page, "route-dry-run");
        await page.GetByLabel("Payload (JSON)").FillAsync("{\"n\": ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Render" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The payload is not JSON");
        await page.GetByLabel("Location").FillAsync("other-29");
        await page.GetByLabel("Payload (JSON)").FillAsync("{}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Render" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not found");

        // Connections show the credential's name and fingerprint, never its value; another customer's location is not found.
        await page.GotoAsync("/console/connections?tenant_id=mine-29");
        var connection = page.Locator("tbody tr").Filter(new() { HasText = "console-keyed" });
        await Expect(connection).ToContainTextAsync("api_key (");
        await Expect(connection).ToContainTextAsync("outlet_id: OUT-29");
        Assert.DoesNotContain(secret, await page.ContentAsync());
        await ScreenshotAsync(page, "connections");
        await page.GotoAsync("/console/connections?tenant_id=other-29");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not found");

        // Reports (a projection, a few seconds behind) count the customer's own dispatches and chart them by day.
        var reported = page.Locator("tbody tr").Filter(new() { HasText = "console-pos / orders" });
        var deadline = DateTime.UtcNow.AddMilliseconds(Patience);
        do await page.GotoAsync("/console/reports");
        while (await reported.CountAsync() == 0 && DateTime.UtcNow < deadline);
        await Expect(reported.Locator("td").Nth(1)).ToHaveTextAsync("2");
        await Expect(page.Locator("figure.chart")).ToHaveCountAsync(2);
        Assert.True(await page.Locator("figure.chart").First.Locator("circle").CountAsync() >= 1, "The success-rate chart plots no day.");
        await ScreenshotAsync(page, "reports");

        // The audit export downloads the entries the key may see, the console's replays among them.
        await page.GotoAsync("/console/audit");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "CSV" }).ClickAsync());
        Assert.Equal("audit.csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        await File.WriteAllTextAsync(Path.Combine(ScreenshotDirectory, "audit-export.csv"), csv);
        Assert.Contains(csv.Split('\n'), line => line.Contains("dispatch_replay_requested") && line.TrimEnd().EndsWith(",console"));
        Assert.DoesNotContain("other-29", csv);
        Assert.DoesNotContain(secret, csv);

        AssertNoTrouble(trouble);
    }

    [ChromiumFact]
    public async Task a_wrong_key_is_refused_without_a_session_and_views_work_at_phone_width()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        var api = new Api(host);
        var key = await api.KeyAsync(CallerClass.Internal, null);

        await using var console = await ConsoleBrowser.OpenAsync(host, 390, 844);
        var (context, page, trouble) = (console.Context, console.Page, console.Trouble);

        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("API key").FillAsync("rsk_test_" + new string('x', 40));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "raffssync_console");
        // The refusal is answered 401, which Chromium reports as a failed load: expected here, and only here.
        lock (trouble) Assert.Equal(1, trouble.RemoveAll(t => t.Contains("status of 401")));

        // The keyboard alone signs in: the field, then the button.
        await page.GetByLabel("API key").FillAsync(key);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dispatches" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No dispatches match")).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "At 390 px the dispatches view scrolls sideways.");
        await ScreenshotAsync(page, "dispatches-phone");
        foreach (var view in new[] { "/console/issues", "/console/providers", "/console/connections", "/console/reports", "/console/webhooks", "/console/providers/sandbox/routes/orders.push" })
        {
            var answer = await page.GotoAsync(view);
            Assert.Equal(200, answer!.Status);
            Assert.False(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"), $"At 390 px {view} scrolls sideways.");
        }
        await ScreenshotAsync(page, "route-phone");

        // An internal key may verify the audit chain from the audit view.
        await page.GotoAsync("/console/audit");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.GetByTestId("verification")).ToContainTextAsync("the chain is intact");

        AssertNoTrouble(trouble);
    }

    [ChromiumFact]
    public async Task a_failed_webhook_delivery_is_retried_from_the_console_and_succeeds()
    {
        // One retry a moment after the first attempt, then the message stops as failed.
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync(), new Dictionary<string, string> { ["RaffsSync:Webhooks:RetrySchedule"] = "PT0.2S" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var receiverUp = false;
        receiver.Answer = _ => (receiverUp ? 200 : 503, null);
        var api = new Api(host);
        var (customerKey, _) = await api.TwoCustomersWithAProviderAsync("http://127.0.0.1:9");
        var endpoint = await api.CreateWebhookEndpointAsync(customerKey, receiver.Url);
        var (delivery, message) = await api.SendWebhookTestAsync(customerKey, endpoint);
        Assert.Equal("failed", await api.WaitForDeliveryAsync(customerKey, delivery, "failed"));

        await using var console = await ConsoleBrowser.OpenAsync(host, 1280, 900);
        var (context, page, trouble) = (console.Context, console.Page, console.Trouble);

        await page.GotoAsync("/console/webhooks");
        await SignInAsync(page, customerKey);
        await page.GetByRole(AriaRole.Link, new() { Name = receiver.Url }).ClickAsync();
        var row = page.Locator("tbody tr").Filter(new() { HasText = message });
        await Expect(row.Locator(".status")).ToHaveTextAsync("failed");
        await ScreenshotAsync(page, "webhook-failed");

        receiverUp = true;
        await page.GetByRole(AriaRole.Button, new() { Name = $"Retry message {message}" }).ClickAsync();
        await Expect(page.Locator("tbody tr").Filter(new() { HasText = message }).Locator(".status")).ToHaveTextAsync("succeeded");
        Assert.Equal("succeeded", await api.WaitForDeliveryAsync(customerKey, delivery, "succeeded"));
        Assert.Equal(3, receiver.Received.Count(r => r.Id == message));
        await ScreenshotAsync(page, "webhook-retried");

        // Rotating the secret shows the new one once, and the endpoint's fingerprint follows it.
        var before = await page.GetByTestId("fingerprint").TextContentAsync();
        var rotateForm = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Rotate the secret" }) });
        var sentFields = new Dictionary<string, string>();
        foreach (var field in await rotateForm.Locator("input[type=hidden]").AllAsync())
            sentFields[(await field.GetAttributeAsync("name"))!] = (await field.GetAttributeAsync("value"))!;
        await rotateForm.GetByRole(AriaRole.Button).ClickAsync();
        var rotated = await page.GetByTestId("new-secret").TextContentAsync();
        Assert.StartsWith("whsec_", rotated);
        var rotatedPrint = await page.GetByTestId("fingerprint").TextContentAsync();
        Assert.NotEqual(before, rotatedPrint);
        // The same form sent again (a double click, a resend) rotates nothing more.
        var resentPage = await page.EvaluateAsync<string>(
            "async fields => (await fetch(location.href, { method: 'POST', body: new URLSearchParams(fields), credentials: 'same-origin' })).text()",
            sentFields);
        Assert.Contains("already sent", resentPage);
        await page.ReloadAsync();
        Assert.Equal(rotatedPrint, await page.GetByTestId("fingerprint").TextContentAsync());
        Assert.DoesNotContain(rotated!, await page.ContentAsync());

        // Recovering a window sends again only its failed messages.
        receiverUp = false;
        var (lost, lostMessage) = await api.SendWebhookTestAsync(customerKey, endpoint);
        Assert.Equal("failed", await api.WaitForDeliveryAsync(customerKey, lost, "failed"));
        receiverUp = true;
        await page.GetByLabel("From (UTC)").FillAsync(DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Recover" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("recovery="));
        await Expect(page.Locator("[data-live-region=recovery] .status")).ToHaveTextAsync("completed");
        await Expect(page.Locator("[data-live-region=recovery]")).ToContainTextAsync("1 sent again");
        Assert.Equal("succeeded", await api.WaitForDeliveryAsync(customerKey, lost, "succeeded"));
        // The page follows the messages the recovery sent again, without a reload.
        await Expect(page.Locator("tbody tr").Filter(new() { HasText = lostMessage }).Locator(".status")).ToHaveTextAsync("succeeded");
        Assert.Equal(3, receiver.Received.Count(r => r.Id == message));
        await ScreenshotAsync(page, "webhook-recovered");

        AssertNoTrouble(trouble);
    }

    /// <summary>Headless Chromium on one page of the host, with the tests' patience, watching for console trouble.</summary>
    private sealed class ConsoleBrowser : IAsyncDisposable
    {
        private IPlaywright _playwright = null!;
        private IBrowser _browser = null!;
        public IBrowserContext Context { get; private set; } = null!;
        public IPage Page { get; private set; } = null!;
        public List<string> Trouble { get; private set; } = null!;

        public static async Task<ConsoleBrowser> OpenAsync(LoopbackHost host, int width, int height)
        {
            var console = new ConsoleBrowser { _playwright = await Playwright.CreateAsync() };
            console._browser = await HeadlessChromium.LaunchAsync(console._playwright);
            console.Context = await console._browser.NewContextAsync(new() { BaseURL = host.Address.ToString(), ViewportSize = new() { Width = width, Height = height } });
            console.Page = await console.Context.NewPageAsync();
            console.Page.SetDefaultTimeout(Patience);
            SetDefaultExpectTimeout(Patience);
            console.Trouble = PageTrouble.Watch(console.Page);
            return console;
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static void AssertNoTrouble(List<string> trouble)
    {
        lock (trouble) Assert.True(trouble.Count == 0, "The console had trouble: " + string.Join("; ", trouble));
    }

    private static async Task AssertTheSessionCookieIsGuardedAsync(IBrowserContext context, IPage page, string key)
    {
        var session = (await context.CookiesAsync()).Single(c => c.Name == "raffssync_console");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("/console", session.Path);
        Assert.DoesNotContain(key, session.Value);
        var storage = await page.EvaluateAsync<string>("JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie");
        Assert.DoesNotContain(key, storage);
        Assert.DoesNotContain(key, await page.ContentAsync());
    }

    private static Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        return page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    /// <summary>The API over HTTP, as a customer's own system would call it.</summary>
    private sealed class Api(LoopbackHost host)
    {
        private readonly HttpClient _http = new() { BaseAddress = host.Address };

        public Task<string> KeyAsync(CallerClass callerClass, string? customerId) =>
            ApiKeyStore.CreateAsync(host.Services.GetRequiredService<IDocumentStore>(),
                new ApiKeyRequest("console test", ProviderEnvironment.Sandbox, callerClass,
                    callerClass == CallerClass.Internal ? Scopes.All
                        : [Scopes.DispatchesRead, Scopes.DispatchesWrite, Scopes.AuditRead, Scopes.WebhooksWrite, Scopes.RegistryRead, Scopes.ReportsRead],
                    customerId, []),
                TimeProvider.System);

        /// <returns>A key of the first customer (location <c>mine-29</c>), and a dispatch of the second one's location.</returns>
        public async Task<(string CustomerKey, string OtherCustomersDispatch)> TwoCustomersWithAProviderAsync(string providerUrl)
        {
            var admin = await KeyAsync(CallerClass.Internal, null);
            await SendAsync(admin, HttpMethod.Post, "/api/v1/providers", new { key = "console-pos", name = "Console POS", base_urls = new { sandbox = providerUrl } });
            foreach (var routeKey in new[] { "orders", "bulk" })
                await SendAsync(admin, HttpMethod.Put, $"/api/v1/providers/console-pos/routes/{routeKey}", new
                {
                    kind = "http", request = new { method = "POST", path = "/" + routeKey }, success = new[] { 201 },
                    backoff = new { strategy = "fixed", initial = "PT0.1S", max_attempts = 1, budget = "PT1M" }
                });

            var keys = new List<string>();
            foreach (var tenant in new[] { "mine-29", "other-29" })
            {
                var customer = await SendAsync(admin, HttpMethod.Post, "/api/v1/customers", new { name = tenant });
                var customerId = customer.GetProperty("id").GetString()!;
                await SendAsync(admin, HttpMethod.Post, $"/api/v1/customers/{customerId}/locations", new { tenant_id = tenant, name = tenant });
                keys.Add(await KeyAsync(CallerClass.Customer, customerId));
            }

            var other = await SendAsync(keys[1], HttpMethod.Post, "/api/v1/dispatches",
                new { tenant_id = "other-29", provider = "console-pos", route_key = "orders", payload = new { secret_order = 1 } });
            var otherId = other.GetProperty("id").GetString()!;
            // Finished before the test queues the provider's answers, so it takes none of them.
            await WaitForStatusAsync(keys[1], otherId, "failed");
            return (keys[0], otherId);
        }

        /// <summary>Revises a route of the test provider to send to another path: its next version.</summary>
        public async Task ReviseRouteAsync(string routeKey, string path) =>
            await SendAsync(await KeyAsync(CallerClass.Internal, null), HttpMethod.Put, $"/api/v1/providers/console-pos/routes/{routeKey}", new
            {
                version = 1, kind = "http", request = new { method = "POST", path }, success = new[] { 201 },
                backoff = new { strategy = "fixed", initial = "PT0.1S", max_attempts = 1, budget = "PT1M" }
            });

        /// <summary>A provider that takes an API key, and a connection of <c>mine-29</c> to it holding <paramref name="secret"/>.</summary>
        public async Task ConnectAsync(string secret)
        {
            var admin = await KeyAsync(CallerClass.Internal, null);
            await SendAsync(admin, HttpMethod.Post, "/api/v1/providers", new { key = "console-keyed", name = "Keyed POS", auth_kind = "api_key", base_urls = new { sandbox = "http://127.0.0.1:9" } });
            await SendAsync(admin, HttpMethod.Post, "/api/v1/locations/mine-29/connections",
                new { provider = "console-keyed", environment = "sandbox", credentials = new { api_key = secret }, settings = new { outlet_id = "OUT-29" } });
        }

        public async Task<string> DispatchAsync(string key, string routeKey) =>
            (await SendAsync(key, HttpMethod.Post, "/api/v1/dispatches",
                new { tenant_id = "mine-29", provider = "console-pos", route_key = routeKey, payload = new { n = 1 } })).GetProperty("id").GetString()!;

        public async Task<string> CreateWebhookEndpointAsync(string key, string url) =>
            (await SendAsync(key, HttpMethod.Post, "/api/v1/webhooks/endpoints", new { url, event_types = new[] { "webhook.test" } })).GetProperty("id").GetString()!;

        public async Task<(string Delivery, string Message)> SendWebhookTestAsync(string key, string endpoint)
        {
            var sent = await SendAsync(key, HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/test");
            return (sent.GetProperty("id").GetString()!, sent.GetProperty("message_id").GetString()!);
        }

        public async Task<string> WaitForDeliveryAsync(string key, string id, string expected)
        {
            var status = "";
            var deadline = DateTime.UtcNow.AddMilliseconds(Patience);
            while (DateTime.UtcNow < deadline && (status = (await SendAsync(key, HttpMethod.Get, $"/api/v1/webhooks/deliveries/{id}")).GetProperty("delivery").GetProperty("status").GetString()!) != expected)
                await Task.Delay(100);
            return status;
        }

        public async Task<string> StatusAsync(string key, string id) =>
            (await SendAsync(key, HttpMethod.Get, $"/api/v1/dispatches/{id}")).GetProperty("status").GetString()!;

        public async Task<string> WaitForStatusAsync(string key, string id, string expected)
        {
            var status = "";
            var deadline = DateTime.UtcNow.AddMilliseconds(Patience);
            while (DateTime.UtcNow < deadline && (status = await StatusAsync(key, id)) != expected) await Task.Delay(100);
            return status;
        }

        public async Task<JsonElement> AuditEntryAsync(string key, string streamId, string eventType)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(Patience);
            while (true)
            {
                var entries = (await SendAsync(key, HttpMethod.Get, $"/api/v1/audit?stream_id={streamId}&event_type={eventType}")).GetProperty("data");
                if (entries.GetArrayLength() > 0) return entries[0];
                Assert.True(DateTime.UtcNow < deadline, $"No {eventType} audit entry for {streamId}.");
                await Task.Delay(200);
            }
        }

        private async Task<JsonElement> SendAsync(string key, HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            if (body is not null) request.Content = JsonContent.Create(body);
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}
