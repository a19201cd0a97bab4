using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Tests;

public sealed class AccessTests
{
    private static ApiKeyRequest Request(ProviderEnvironment environment, params string[] scopes) =>
        new("ci", environment, CallerClass.Customer, scopes, "cus_1", ["29", "29", "30"]);

    [Theory]
    [InlineData(ProviderEnvironment.Sandbox, "rsk_test_")]
    [InlineData(ProviderEnvironment.Production, "rsk_live_")]
    public void issued_keys_carry_their_environment_and_only_their_hash_is_recorded(ProviderEnvironment environment, string prefix)
    {
        var (created, secret) = ApiKeyIssue.Issue(Request(environment, Scopes.DispatchesRead), DateTimeOffset.UnixEpoch);

        Assert.StartsWith(prefix, secret);
        Assert.True(ApiKeySecret.LooksLikeKey(secret));
        Assert.Equal(environment, ApiKeySecret.EnvironmentOf(secret));
        Assert.Equal(ApiKeySecret.Hash(secret), created.SecretHash);
        Assert.DoesNotContain(secret, created.ToString());
        Assert.Equal(secret[..13], created.DisplayPrefix);
        Assert.Equal(["29", "30"], created.Locations);
    }

    [Fact]
    public void two_keys_never_share_a_secret()
    {
        var secrets = Enumerable.Range(0, 200).Select(_ => ApiKeySecret.Generate(ProviderEnvironment.Sandbox)).ToHashSet();

        Assert.Equal(200, secrets.Count);
    }

    [Theory]
    [InlineData("rsk_test_short")]
    [InlineData("sk_test_0000000000000000000000000000000000000000")]
    [InlineData("rsk_test_00000000000000000000000000000000000000!0")]
    public void strings_that_are_not_keys_are_recognised(string candidate) =>
        Assert.False(ApiKeySecret.LooksLikeKey(candidate));

    [Fact]
    public void unknown_scopes_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ApiKeyIssue.Issue(Request(ProviderEnvironment.Sandbox, "dispatches:write", "root:everything"), DateTimeOffset.UnixEpoch));

        Assert.Contains("root:everything", error.Message);
    }

    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static KeyIssuer CustomerIssuer(IReadOnlyList<string>? ownLocations = null, ProviderEnvironment environment = ProviderEnvironment.Production,
        DateTimeOffset? expiresAt = null) =>
        new(CallerClass.Customer, [Scopes.AccessWrite, Scopes.DispatchesRead], "cus_1", ownLocations ?? ["29", "30", "31"],
            LocationBound: ownLocations is not null, environment, null, expiresAt);

    private static ApiKeyRequest Asked(IReadOnlyList<string>? locations = null, ProviderEnvironment environment = ProviderEnvironment.Sandbox,
        DateTimeOffset? expiresAt = null, CallerClass callerClass = CallerClass.Customer, string? customerId = null, string? provider = null,
        params string[] scopes) =>
        new("ci", environment, callerClass, scopes.Length > 0 ? scopes : [Scopes.DispatchesRead], customerId, locations, expiresAt, provider);

    private static IssueRefusal Refused(KeyIssuer issuer, ApiKeyRequest request, int status, string code)
    {
        var (bounded, refusal) = ApiKeyIssue.Bound(issuer, request, Now);
        Assert.Null(bounded);
        Assert.NotNull(refusal);
        Assert.Equal((status, code), (refusal.Status, refusal.Code));
        return refusal;
    }

    private static ApiKeyRequest Allowed(KeyIssuer issuer, ApiKeyRequest request)
    {
        var (bounded, refusal) = ApiKeyIssue.Bound(issuer, request, Now);
        Assert.Null(refusal);
        return bounded!;
    }

    [Fact]
    public void scopes_the_issuer_lacks_are_refused_even_for_internal_issuers()
    {
        Refused(CustomerIssuer(), Asked(scopes: Scopes.DispatchesWrite), 403, "insufficient_scope");
        var internalReader = new KeyIssuer(CallerClass.Internal, [Scopes.AccessWrite], null, []);
        Refused(internalReader, Asked(callerClass: CallerClass.Internal, scopes: Scopes.RegistryWrite), 403, "insufficient_scope");
    }

    [Fact]
    public void a_location_bound_issuer_gives_only_a_non_empty_subset_of_its_locations_and_omitted_means_its_own()
    {
        var issuer = CustomerIssuer(["29", "30"]);

        Assert.Equal(["29", "30"], Allowed(issuer, Asked(locations: null)).Locations);
        Assert.Equal(["30"], Allowed(issuer, Asked(locations: ["30"])).Locations);
        Assert.Equal("locations", Refused(issuer, Asked(locations: []), 403, ApiKeyIssue.BroaderThanIssuer).Detail.Field);
        Assert.Equal("31", Refused(issuer, Asked(locations: ["29", "31"]), 404, "not_found").Detail.Hint);
    }

    [Fact]
    public void a_customer_wide_issuer_may_give_customer_wide_keys_or_any_of_its_locations()
    {
        Assert.Empty(Allowed(CustomerIssuer(), Asked(locations: null)).Locations!);
        Assert.Empty(Allowed(CustomerIssuer(), Asked(locations: [])).Locations!);
        Assert.Equal(["31"], Allowed(CustomerIssuer(), Asked(locations: ["31"])).Locations);
        Refused(CustomerIssuer(), Asked(locations: ["99"]), 404, "not_found");
    }

    [Fact]
    public void a_sandbox_issuer_cannot_issue_production_credentials()
    {
        var detail = Refused(CustomerIssuer(environment: ProviderEnvironment.Sandbox), Asked(environment: ProviderEnvironment.Production),
            403, ApiKeyIssue.BroaderThanIssuer).Detail;
        Assert.Equal("environment", detail.Field);
        Refused(new KeyIssuer(CallerClass.Internal, Scopes.All, null, [], Environment: ProviderEnvironment.Sandbox),
            Asked(environment: ProviderEnvironment.Production, callerClass: CallerClass.Internal), 403, ApiKeyIssue.BroaderThanIssuer);
        Assert.Equal(ProviderEnvironment.Sandbox, Allowed(CustomerIssuer(), Asked(environment: ProviderEnvironment.Sandbox)).Environment);
    }

    [Fact]
    public void an_expiring_issuer_cannot_issue_a_credential_that_outlives_it_and_omitted_expiry_is_its_own()
    {
        var issuer = CustomerIssuer(expiresAt: Now.AddDays(7));

        Assert.Equal(Now.AddDays(7), Allowed(issuer, Asked(expiresAt: null)).ExpiresAt);
        Assert.Equal(Now.AddDays(1), Allowed(issuer, Asked(expiresAt: Now.AddDays(1))).ExpiresAt);
        Assert.Equal("expires_at", Refused(issuer, Asked(expiresAt: Now.AddDays(8)), 403, ApiKeyIssue.BroaderThanIssuer).Detail.Field);
        Assert.Null(Allowed(CustomerIssuer(), Asked(expiresAt: null)).ExpiresAt);
    }

    [Fact]
    public void a_non_internal_issuer_issues_only_its_own_class()
    {
        Refused(CustomerIssuer(), Asked(callerClass: CallerClass.Internal), 403, "caller_class_forbidden");
        Refused(CustomerIssuer(), Asked(callerClass: CallerClass.Partner, provider: "takeapp"), 403, "caller_class_forbidden");
        var partner = new KeyIssuer(CallerClass.Partner, [Scopes.AccessWrite, Scopes.RegistryRead], null, [], Provider: "takeapp");
        Refused(partner, Asked(callerClass: CallerClass.Customer, customerId: "cus_1"), 403, "caller_class_forbidden");
    }

    [Fact]
    public void a_provider_bound_issuer_issues_only_for_its_provider_which_is_the_default()
    {
        var partner = new KeyIssuer(CallerClass.Partner, [Scopes.AccessWrite, Scopes.RegistryRead], null, [], Provider: "takeapp");

        Assert.Equal("takeapp", Allowed(partner, Asked(callerClass: CallerClass.Partner, scopes: Scopes.RegistryRead)).Provider);
        var detail = Refused(partner, Asked(callerClass: CallerClass.Partner, provider: "grafterr", scopes: Scopes.RegistryRead),
            403, ApiKeyIssue.BroaderThanIssuer).Detail;
        Assert.Equal("provider", detail.Field);
    }

    [Fact]
    public void the_customer_is_the_issuers_own_and_a_customer_credential_needs_one()
    {
        Assert.Equal("cus_1", Allowed(CustomerIssuer(), Asked()).CustomerId);
        Refused(CustomerIssuer(), Asked(customerId: "cus_2"), 404, "not_found");
        var detail = Refused(new KeyIssuer(CallerClass.Internal, Scopes.All, null, []), Asked(), 400, "validation_failed").Detail;
        Assert.Equal(("customer_id", "required"), (detail.Field, detail.Issue));
        Assert.Contains("caller_class internal", detail.Hint);
    }

    [Theory]
    [InlineData(64, null)]
    [InlineData(65, "too_long")]
    public void identifiers_have_a_maximum_length(int length, string? issue) =>
        Assert.Equal(issue, IdentifierLimits.Check("customer_id", new string('a', length), IdentifierLimits.Id)?.Issue);

    [Theory]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    public void identifiers_hold_no_control_characters(string escaped) =>
        Assert.Equal("control_characters", IdentifierLimits.Check("name", System.Text.RegularExpressions.Regex.Unescape(escaped), IdentifierLimits.Name)?.Issue);

    [Fact]
    public void registry_stream_ids_are_stable_and_distinct()
    {
        Assert.Equal(RegistryIds.Route("takeapp", "orders.pull"), RegistryIds.Route("takeapp", "orders.pull"));
        Assert.NotEqual(RegistryIds.Route("takeapp", "orders.pull"), RegistryIds.Route("takeapp", "orders.push"));
        Assert.NotEqual(RegistryIds.Provider("takeapp"), RegistryIds.Route("takeapp", ""));
        Assert.Equal(5, RegistryIds.Provider("takeapp").Version);
    }
}
