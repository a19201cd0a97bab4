using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Domain.Tests;

public sealed class WebhookEndpointRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static WebhookEndpoint Endpoint(string customer = "cus_a", params string[] tenants) => WebhookEndpoint.Create(new WebhookEndpointCreated(
        Guid.CreateVersion7(), customer, "https://hooks.example.com/a", "desc", ["dispatch.*"], tenants, true, false, 5, "0123456789abcdef", Now));

    [Theory]
    [InlineData("https://hooks.example.com/raffssync")]
    [InlineData("https://hooks.example.com:8443/a/b?token=x")]
    [InlineData("https://203.0.114.7/hooks")]
    [InlineData("https://[2001:4860::8888]/hooks")]
    public void absolute_https_urls_are_accepted(string url)
    {
        Assert.Null(WebhookEndpointRules.CheckUrl(url, allowHttp: false, out var parsed));
        Assert.Equal(new Uri(url), parsed);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("  ", "required")]
    [InlineData("hooks.example.com/raffssync", "invalid")]
    [InlineData("/etc/passwd", "invalid")]
    [InlineData("file:///etc/passwd", "invalid")]
    [InlineData("ftp://hooks.example.com/", "invalid")]
    [InlineData("gopher://127.0.0.1:6379/_INFO", "invalid")]
    [InlineData("https://user:secret@hooks.example.com/", "invalid")]
    [InlineData("http://hooks.example.com/", "https_required")]
    [InlineData("https://hooks.example.com/\u0000", "control_characters")]
    public void other_urls_are_refused_with_the_reason(string? url, string issue)
    {
        var error = WebhookEndpointRules.CheckUrl(url, allowHttp: false, out var parsed);

        Assert.Equal(new FieldError("url", issue, error?.Hint), error);
        Assert.Null(parsed);
    }

    [Fact]
    public void http_is_accepted_only_where_allowed_and_a_url_has_a_length_bound()
    {
        Assert.Null(WebhookEndpointRules.CheckUrl("http://127.0.0.1:5000/hooks", allowHttp: true, out _));
        Assert.Equal("https_required", WebhookEndpointRules.CheckUrl("http://127.0.0.1:5000/hooks", allowHttp: false, out _)?.Issue);
        var tooLong = "https://hooks.example.com/" + new string('a', WebhookEndpointRules.MaxUrlLength);
        Assert.Equal("too_long", WebhookEndpointRules.CheckUrl(tooLong, allowHttp: false, out _)?.Issue);
    }

    [Fact]
    public void event_types_are_one_or_more_valid_patterns_each_named_by_its_position()
    {
        Assert.Empty(WebhookEndpointRules.CheckEventTypes(["dispatch.failed", "dispatch.*", "*", "grafterr.pos_order.created"]));
        Assert.Equal("required", Assert.Single(WebhookEndpointRules.CheckEventTypes(null)).Issue);
        Assert.Equal("required", Assert.Single(WebhookEndpointRules.CheckEventTypes([])).Issue);
        Assert.Equal("too_many", Assert.Single(WebhookEndpointRules.CheckEventTypes([.. Enumerable.Repeat("*", 101)])).Issue);
        Assert.Equal(["event_types[1]", "event_types[2]", "event_types[3]"],
            WebhookEndpointRules.CheckEventTypes(["dispatch.failed", "dispatch failed", null, "dispatch.**"]).Select(e => e.Field));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(1, true)]
    [InlineData(1000, true)]
    [InlineData(0, false)]
    [InlineData(-3, false)]
    [InlineData(1001, false)]
    public void a_rate_limit_is_1_to_1000_per_second_or_none(int? rateLimit, bool valid) =>
        Assert.Equal(valid, WebhookEndpointRules.CheckRateLimit(rateLimit) is null);

    [Fact]
    public void tenant_ids_must_be_the_customers_locations()
    {
        var errors = WebhookEndpointRules.CheckTenants(["29", "31", "", "x\ny"], ["29", "30"], "cus_a").ToList();

        Assert.Equal([("tenant_ids[1]", "unknown"), ("tenant_ids[2]", "required"), ("tenant_ids[3]", "control_characters")],
            errors.Select(e => (e.Field, e.Issue)));
        Assert.Contains("cus_a", errors[0].Hint);
        Assert.Empty(WebhookEndpointRules.CheckTenants(null, [], "cus_a"));
    }

    [Fact]
    public void no_tenant_ids_means_every_location_except_for_a_credential_bound_to_some()
    {
        Assert.Empty(WebhookEndpointRules.Scope(null, boundTo: null));
        Assert.Equal(["30", "29"], WebhookEndpointRules.Scope(["30", "29", "30"], boundTo: null));
        Assert.Equal(["29", "30"], WebhookEndpointRules.Scope([], new HashSet<string> { "30", "29" }));
        Assert.Equal(["30"], WebhookEndpointRules.Scope(["30"], new HashSet<string> { "30", "29" }));
    }

    [Fact]
    public void internal_callers_manage_every_endpoint_customers_their_own_and_bound_credentials_only_those_within_their_locations()
    {
        var everywhere = Endpoint();
        var at29 = Endpoint("cus_a", "29");
        var at29And30 = Endpoint("cus_a", "29", "30");

        Assert.True(WebhookEndpointRules.Manages(everywhere, isInternal: true, null, null));
        Assert.True(WebhookEndpointRules.Manages(everywhere, isInternal: false, "cus_a", null));
        Assert.False(WebhookEndpointRules.Manages(everywhere, isInternal: false, "cus_b", null));
        Assert.False(WebhookEndpointRules.Manages(everywhere, isInternal: false, null, null));

        var bound = new HashSet<string> { "29" };
        Assert.True(WebhookEndpointRules.Manages(at29, isInternal: false, "cus_a", bound));
        Assert.False(WebhookEndpointRules.Manages(at29And30, isInternal: false, "cus_a", bound));
        Assert.False(WebhookEndpointRules.Manages(everywhere, isInternal: false, "cus_a", bound));
        Assert.False(WebhookEndpointRules.Manages(at29, isInternal: false, "cus_b", bound));
    }

    [Fact]
    public void a_change_appends_every_new_value_once_and_nothing_when_nothing_changes()
    {
        var endpoint = Endpoint("cus_a", "29");
        var same = WebhookEndpointSettings.Of(endpoint) with { EventTypes = ["dispatch.*"], TenantIds = ["29"] };
        Assert.Empty(WebhookEndpointRules.Change(endpoint, same, Now.AddMinutes(1)));

        var next = same with { Description = null, RateLimit = null, Enabled = false };
        var changed = Assert.IsType<WebhookEndpointChanged>(Assert.Single(WebhookEndpointRules.Change(endpoint, next, Now.AddMinutes(1))));
        Assert.Equal((endpoint.Id, endpoint.Url, (string?)null, false, false, (int?)null, Now.AddMinutes(1)),
            (changed.EndpointId, changed.Url, changed.Description, changed.Enabled, changed.Ordered, changed.RateLimit, changed.ChangedAt));
        Assert.Equal(["dispatch.*"], changed.EventTypes);
        Assert.Equal(["29"], changed.TenantIds);

        // Enabling an endpoint RaffsSync disabled clears the reason.
        var disabled = endpoint.Apply(new WebhookEndpointDisabled(endpoint.Id, "cus_a", "the endpoint answered 410 Gone", Now));
        var enabled = WebhookEndpointRules.Change(disabled, WebhookEndpointSettings.Of(disabled) with { Enabled = true }, Now.AddHours(1));
        var after = enabled.OfType<WebhookEndpointChanged>().Aggregate(disabled, (e, c) => e.Apply(c));
        Assert.True(after.Enabled);
        Assert.Null(after.DisabledReason);
    }
}
