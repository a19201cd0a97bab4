using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Api.Webhooks;

namespace RaffsSync.Api.Tests.Webhooks;

/// <summary>
/// SSRF (OWASP API7): webhook URLs that reach loopback, private, link-local, CGNAT or metadata addresses are refused when
/// registered and again when the <c>webhooks</c> client connects. The host runs as production does, without the loopback
/// and http allowances Testing has by default; 10.99.0.0/16 is allowed, to show the allow-list at work. No test collection:
/// its own host on its own database.
/// </summary>
public sealed class WebhookEgressTests(StrictWebhookHost strict) : IClassFixture<StrictWebhookHost>
{
    private readonly IAlbaHost _host = strict.Host;
    private readonly string _admin = strict.Admin;
    private readonly string _customer = strict.Customer;

    private Task<IScenarioResult> CreateAsync(string url) => _host.CallAsync(_admin, s => s.Post.Json(new
    {
        url, event_types = new[] { "*" }, customer_id = _customer
    }).ToUrl("/api/v1/webhooks/endpoints"));

    private static async Task<JsonElement> RefusedAsync(IScenarioResult result, string issue)
    {
        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        var detail = Assert.Single(problem.GetProperty("details").EnumerateArray());
        Assert.Equal("url", detail.GetProperty("field").GetString());
        Assert.Equal(issue, detail.GetProperty("issue").GetString());
        return detail;
    }

    [Theory]
    [InlineData("https://127.0.0.1/hooks", "egress to 127.0.0.1 is not allowed")]
    [InlineData("https://10.0.0.1/hooks", "egress to 10.0.0.1 is not allowed")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "egress to 169.254.169.254 is not allowed")]
    [InlineData("https://[::1]/hooks", "egress to ::1 is not allowed")]
    [InlineData("https://100.64.0.1/hooks", "egress to 100.64.0.1 is not allowed")]
    [InlineData("https://[::ffff:169.254.169.254]/hooks", "egress to 169.254.169.254 is not allowed")]
    [InlineData("https://localhost/hooks", "egress to localhost (")]
    public async Task special_purpose_addresses_are_refused_at_registration(string url, string reason)
    {
        var detail = await RefusedAsync(await CreateAsync(url), "egress_denied");

        Assert.Contains(reason, detail.GetProperty("hint").GetString());
        Assert.Contains("special-purpose", detail.GetProperty("hint").GetString());
    }

    [Fact]
    public async Task http_and_hosts_that_do_not_resolve_are_refused_and_the_allow_list_admits_what_it_names()
    {
        var http = await RefusedAsync(await CreateAsync("http://hooks.example.com/raffssync"), "https_required");
        Assert.Contains("https", http.GetProperty("hint").GetString());
        var unresolvable = await RefusedAsync(await CreateAsync("https://no-such-host.invalid/hooks"), "unresolvable");
        Assert.Contains("no-such-host.invalid", unresolvable.GetProperty("hint").GetString());

        var allowed = await CreateAsync("https://10.99.1.2/hooks");
        Assert.Equal(201, allowed.Context.Response.StatusCode);
        var id = JsonDocument.Parse(await allowed.ReadAsTextAsync()).RootElement.GetProperty("id").GetString();

        // A changed URL is checked again; one that stays is not.
        var moved = await _host.CallAsync(_admin, s => s.Patch.Json(new { url = "https://169.254.169.254/" }).ToUrl($"/api/v1/webhooks/endpoints/{id}"));
        await RefusedAsync(moved, "egress_denied");
        var kept = await _host.CallAsync(_admin, s => s.Patch.Json(new { url = "https://10.99.1.2/hooks", ordered = true }).ToUrl($"/api/v1/webhooks/endpoints/{id}"));
        Assert.Equal(200, kept.Context.Response.StatusCode);
    }

    [Theory]
    [InlineData("https://127.0.0.1:{0}/hooks", "egress to 127.0.0.1 is not allowed")]
    [InlineData("https://localhost:{0}/hooks", "egress to localhost (")]
    [InlineData("http://127.0.0.1:{0}/hooks", "over http is not allowed")]
    public async Task the_webhooks_client_refuses_to_connect_to_a_loopback_listener(string url, string reason)
    {
        await using var receiver = await LoopbackProvider.StartAsync();
        var client = _host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookHttpClient.Name);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.PostAsJsonAsync(string.Format(url, new Uri(receiver.BaseUrl).Port), new { type = "webhook.test" }));

        var denied = WebhookEgressDeniedException.Behind(failure);
        Assert.NotNull(denied);
        Assert.Contains(reason, denied.Message);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task a_refused_registration_writes_nothing()
    {
        var key = await _host.CreateInternalKeyAsync();
        await RefusedAsync(await CreateAsync("https://192.168.1.10/hooks"), "egress_denied");
        var list = await _host.CallAsync(key, s => s.Get.Url($"/api/v1/webhooks/endpoints?customer_id={_customer}&per_page=100"));
        Assert.Equal(200, list.Context.Response.StatusCode);
        Assert.DoesNotContain("192.168.1.10", await list.ReadAsTextAsync());
    }

    [Fact]
    public async Task a_message_for_an_endpoint_whose_address_became_refused_fails_at_once_and_nothing_is_sent()
    {
        // An endpoint stored before its name resolved to loopback (DNS rebinding): the connect-time check stops the message.
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await _host.CreateEndpointAsync(_customer, receiver.Url.Replace("127.0.0.1", "localhost"), ["webhook.test"]);

        var (_, message) = await _host.SendTestMessageAsync(_admin, endpoint);
        var delivery = await _host.WaitForDeliveryAsync(message, RaffsSync.Domain.Webhooks.WebhookDeliveryStatus.Failed,
            RaffsSync.Domain.Webhooks.WebhookDeliveryStatus.Succeeded);

        Assert.Equal(RaffsSync.Domain.Webhooks.WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(1, delivery.Attempts);
        Assert.Contains("is not allowed", delivery.LastError);
        Assert.Empty(receiver.Received);
    }
}

/// <summary>A host on a database of its own whose webhook egress is as strict as production's, with 10.99.0.0/16 allowed.</summary>
public sealed class StrictWebhookHost : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;
    public string Admin { get; private set; } = "";
    public string Customer { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var database = await OwnDatabase.CreateAsync();
        Host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            [WebhookEgress.AllowLoopbackKey] = "false",
            [WebhookEgress.AllowHttpKey] = "false",
            [WebhookEgress.AllowKey] = "10.99.0.0/16"
        });
        Admin = await Host.CreateInternalKeyAsync();
        var created = await Host.CallAsync(Admin, s => s.Post.Json(new { name = "Egress" }).ToUrl("/api/v1/customers"));
        Customer = JsonDocument.Parse(await created.ReadAsTextAsync()).RootElement.GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await Host.StopAsync();
        await Host.DisposeAsync();
    }
}
