using System.Net;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Tests;

public sealed class EgressRulesTests
{
    [Theory]
    [InlineData("0.1.2.3")]
    [InlineData("10.0.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.255")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("fe80::1%2")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:7f00:1::")]
    [InlineData("2001::1")]
    [InlineData("::ffff:0:127.0.0.1")]
    [InlineData("64:ff9b:1::a9fe:a9fe")]
    [InlineData("2001:10::1")]
    [InlineData("fec0::1")]
    [InlineData("2001:2::1")]
    public void special_purpose_addresses_are_refused(string address)
    {
        Assert.True(EgressRules.IsSpecialPurpose(IPAddress.Parse(address)));
        Assert.NotNull(EgressRules.Strict.Refusal(address, [IPAddress.Parse(address)]));
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void public_addresses_are_allowed(string address)
    {
        Assert.False(EgressRules.IsSpecialPurpose(IPAddress.Parse(address)));
        Assert.Null(EgressRules.Strict.Refusal(address, [IPAddress.Parse(address)]));
    }

    [Fact]
    public void the_refusal_names_the_address_and_the_host_it_came_from()
    {
        Assert.Equal("egress to 169.254.169.254 is not allowed",
            EgressRules.Strict.Refusal("169.254.169.254", [IPAddress.Parse("169.254.169.254")]));
        Assert.Equal("egress to metadata.example (169.254.169.254) is not allowed",
            EgressRules.Strict.Refusal("metadata.example", [IPAddress.Parse("::ffff:169.254.169.254")]));
    }

    [Fact]
    public void one_special_address_among_public_ones_refuses_the_host()
    {
        var refusal = EgressRules.Strict.Refusal("rebind.example", [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.0.0.7")]);

        Assert.Equal("egress to rebind.example (10.0.0.7) is not allowed", refusal);
    }

    [Fact]
    public void the_allow_list_takes_ranges_addresses_and_host_names()
    {
        var rules = new EgressRules(["10.20.0.0/16", "192.168.7.7", "erp.internal", " "]);

        Assert.Null(rules.Refusal("10.20.3.4", [IPAddress.Parse("10.20.3.4")]));
        Assert.Null(rules.Refusal("x", [IPAddress.Parse("::ffff:10.20.3.4")]));
        Assert.Null(rules.Refusal("192.168.7.7", [IPAddress.Parse("192.168.7.7")]));
        Assert.Null(rules.Refusal("ERP.internal", [IPAddress.Parse("10.99.0.1")]));
        Assert.NotNull(rules.Refusal("10.21.0.1", [IPAddress.Parse("10.21.0.1")]));
        Assert.NotNull(rules.Refusal("192.168.7.8", [IPAddress.Parse("192.168.7.8")]));
        Assert.NotNull(rules.Refusal("169.254.169.254", [IPAddress.Parse("169.254.169.254")]));
    }

    [Fact]
    public void allowing_loopback_allows_nothing_else()
    {
        var rules = new EgressRules(EgressRules.Loopback);

        Assert.Null(rules.Refusal("localhost", [IPAddress.Parse("127.0.0.1"), IPAddress.Parse("::1")]));
        Assert.NotNull(rules.Refusal("169.254.169.254", [IPAddress.Parse("169.254.169.254")]));
        Assert.NotNull(rules.Refusal("::", [IPAddress.Parse("::")]));
        Assert.NotNull(rules.Refusal("10.0.0.1", [IPAddress.Parse("10.0.0.1")]));
    }

    [Theory]
    [InlineData("http://erp.internal")]
    [InlineData("not a host")]
    [InlineData("10.0.0.0/33")]
    public void an_unreadable_allow_entry_is_refused(string entry) =>
        Assert.Throws<ArgumentException>(() => new EgressRules([entry]));

    [Theory]
    [InlineData("http://169.254.169.254/latest", true)]
    [InlineData("http://2852039166/", true)] // 169.254.169.254 as one decimal number
    [InlineData("http://[::ffff:a9fe:a9fe]/", true)]
    [InlineData("http://[fe80::1]:8080/", true)]
    [InlineData("http://10.0.0.5:5432/", true)]
    [InlineData("https://93.184.215.14/", false)]
    [InlineData("https://metadata.example/", false)] // names are checked when connecting
    public void literal_addresses_are_checked_at_registration(string url, bool refused) =>
        Assert.Equal(refused, EgressRules.Strict.RefusalForLiteralAddress(new Uri(url)) is not null);

    [Fact]
    public void a_denied_egress_fails_the_dispatch_as_configuration_without_retrying()
    {
        var route = new RouteDefinition("http", new RequestTemplate("POST", "/v1/orders"));

        var outcome = DispatchOutcome.Classify(route,
            new ProviderCallResult.Unreachable("egress to 169.254.169.254 is not allowed", 1, EgressDenied: true));

        var failed = Assert.IsType<DispatchOutcome.Failed>(outcome);
        Assert.Equal(FailureType.Configuration, failed.Type);
        Assert.Contains("egress to 169.254.169.254 is not allowed", failed.Reason);
    }

    [Fact]
    public void the_services_own_database_is_never_reached_even_when_loopback_is_allowed()
    {
        var rules = new EgressRules([.. EgressRules.Loopback, "10.5.0.0/16"],
            [new IPEndPoint(IPAddress.Parse("127.0.0.1"), 5432), new IPEndPoint(IPAddress.Parse("10.5.0.9"), 5432)]);

        Assert.Equal("egress to 127.0.0.1 port 5432 is not allowed: it is this service's own database",
            rules.Refusal("127.0.0.1", 5432, [IPAddress.Parse("127.0.0.1")]));
        Assert.NotNull(rules.Refusal("localhost", 5432, [IPAddress.Parse("::1")]));
        Assert.NotNull(rules.Refusal("db.internal", 5432, [IPAddress.Parse("10.5.0.9")]));
        Assert.NotNull(rules.RefusalForLiteralAddress(new Uri("http://127.0.0.1:5432/")));
        Assert.Null(rules.Refusal("127.0.0.1", 8080, [IPAddress.Parse("127.0.0.1")]));
        Assert.Null(rules.Refusal("10.5.0.10", 5432, [IPAddress.Parse("10.5.0.10")]));
    }
}
