using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Access;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Tests.Access;

/// <summary>
/// A credential is never broader than the one that issues it, on any axis, for API keys and OAuth
/// clients alike, and whether the issuer is a key or an OAuth access token.
/// </summary>
[Collection(AccessCollection.Name)]
public sealed class IssuerBoundsTests(AppFixture fixture) : ApiTest(fixture)
{
    private const string Keys = "/api/v1/api-keys";
    private const string Clients = "/api/v1/oauth/clients";

    private static string Tenant() => "ib-" + Guid.NewGuid().ToString("N")[..12];

    private Task<IScenarioResult> Create(string path, string issuer, object body) => CallAsync(issuer, s => s.Post.Json(body).ToUrl(path));

    private async Task<string> CustomerAsync(string admin, params string[] tenants)
    {
        var (customer, _) = await CustomerWithLocationAsync(admin, tenants[0]);
        foreach (var tenant in tenants.Skip(1))
            Assert.Equal(201, (await CallAsync(admin, s => s.Post.Json(new { tenant_id = tenant, name = tenant })
                .ToUrl($"/api/v1/customers/{customer}/locations"))).Context.Response.StatusCode);
        return customer;
    }

    /// <summary>The created credential's own fields: the key's view, or the client as registered.</summary>
    private static JsonElement Credential(string path, JsonElement created) => path == Keys ? created.GetProperty("api_key") : created;

    /// <summary>What to send as Bearer to act as the created credential: the key, or an access token of the client.</summary>
    private async Task<string> BearerAsync(string path, JsonElement created) => path == Keys
        ? created.GetProperty("key").GetString()!
        : await TokenAsync(created.GetProperty("client_id").GetString()!, created.GetProperty("client_secret").GetString()!);

    private async Task<string> TokenAsync(string clientId, string secret)
    {
        var issued = await Host.Scenario(s => s.Post.Json(new { grant_type = "client_credentials", client_id = clientId, client_secret = secret })
            .ToUrl("/api/v1/oauth/token"));
        return (await issued.ReadAsJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private async Task<JsonElement> CreatedAsync(string path, string issuer, object body)
    {
        var result = await Create(path, issuer, body);
        Assert.True(result.Context.Response.StatusCode == 201, await result.ReadAsTextAsync());
        return await result.ReadAsJsonAsync<JsonElement>();
    }

    private async Task<int> ConnectionsStatusAsync(string bearer, string tenant) =>
        (await CallAsync(bearer, s => s.Get.Url($"/api/v1/locations/{tenant}/connections"))).Context.Response.StatusCode;

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString());

    private static DateTimeOffset WholeSeconds(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));

    [Theory]
    [InlineData(Keys)]
    [InlineData(Clients)]
    public async Task a_location_bound_issuer_gives_only_its_own_locations_and_omitted_means_its_own(string path)
    {
        var admin = await Fixture.CreateKeyAsync();
        var (mine, other) = (Tenant(), Tenant());
        var customer = await CustomerAsync(admin, mine, other);
        var issuer = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.AccessWrite, Scopes.RegistryRead], [mine], customerId: customer);

        var unrestricted = await (await Create(path, issuer, new { name = "x", scopes = new[] { "registry:read" }, locations = Array.Empty<string>() }))
            .ShouldBeProblemAsync(403, ApiKeyIssue.BroaderThanIssuer);
        Assert.Equal("locations", unrestricted.GetProperty("details")[0].GetProperty("field").GetString());
        await (await Create(path, issuer, new { name = "x", scopes = new[] { "registry:read" }, locations = new[] { other } }))
            .ShouldBeProblemAsync(404, "not_found");

        var created = await CreatedAsync(path, issuer, new { name = "x", scopes = new[] { "registry:read" } });
        Assert.Equal([mine], Strings(Credential(path, created).GetProperty("locations")));
        var bearer = await BearerAsync(path, created);
        Assert.Equal(200, await ConnectionsStatusAsync(bearer, mine));
        Assert.Equal(404, await ConnectionsStatusAsync(bearer, other));
        Assert.Equal(200, (await CallAsync(issuer, s => s.Get.Url($"/api/v1/locations/{mine}"))).Context.Response.StatusCode);
        await (await CallAsync(issuer, s => s.Get.Url($"/api/v1/locations/{other}"))).ShouldBeProblemAsync(404, "not_found");
    }

    [Theory]
    [InlineData(Keys)]
    [InlineData(Clients)]
    public async Task a_sandbox_issuer_cannot_issue_a_production_credential(string path)
    {
        var issuer = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.AccessWrite, Scopes.DispatchesRead], customerId: "cus_sandbox");

        var problem = await (await Create(path, issuer, new { name = "x", scopes = new[] { "dispatches:read" }, environment = "production" }))
            .ShouldBeProblemAsync(403, ApiKeyIssue.BroaderThanIssuer);
        Assert.Equal("environment", problem.GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal("sandbox", Credential(path, await CreatedAsync(path, issuer, new { name = "x", scopes = new[] { "dispatches:read" } }))
            .GetProperty("environment").GetString());
    }

    [Theory]
    [InlineData(Keys)]
    [InlineData(Clients)]
    public async Task an_expiring_issuer_cannot_issue_a_credential_that_outlives_it_and_omitted_expiry_is_its_own(string path)
    {
        var expires = WholeSeconds(DateTimeOffset.UtcNow.AddDays(1));
        var issuer = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.AccessWrite, Scopes.DispatchesRead], customerId: "cus_expiring",
            expiresAt: expires);

        var problem = await (await Create(path, issuer, new { name = "x", scopes = new[] { "dispatches:read" }, expires_at = expires.AddHours(1) }))
            .ShouldBeProblemAsync(403, ApiKeyIssue.BroaderThanIssuer);
        Assert.Equal("expires_at", problem.GetProperty("details")[0].GetProperty("field").GetString());

        var created = await CreatedAsync(path, issuer, new { name = "x", scopes = new[] { "dispatches:read" } });
        Assert.Equal(expires, Credential(path, created).GetProperty("expires_at").GetDateTimeOffset());
    }

    [Theory]
    [InlineData(Keys)]
    [InlineData(Clients)]
    public async Task a_customer_issuer_gives_neither_another_class_nor_scopes_it_lacks(string path)
    {
        var issuer = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.AccessWrite, Scopes.RegistryRead], customerId: "cus_class");

        await (await Create(path, issuer, new { name = "x", scopes = new[] { "registry:read" }, caller_class = "partner", provider = "ib-pos" }))
            .ShouldBeProblemAsync(403, "caller_class_forbidden");
        await (await Create(path, issuer, new { name = "x", scopes = new[] { "registry:read" }, caller_class = "internal" }))
            .ShouldBeProblemAsync(403, "caller_class_forbidden");
        await (await Create(path, issuer, new { name = "x", scopes = new[] { "registry:write" } }))
            .ShouldBeProblemAsync(403, "insufficient_scope");
    }

    [Theory]
    [InlineData(Keys)]
    [InlineData(Clients)]
    public async Task a_partner_issuer_gives_only_partner_credentials_of_its_own_provider(string path)
    {
        var partner = await ApiKeyStore.CreateAsync(Fixture.Store, new ApiKeyRequest("partner", ProviderEnvironment.Sandbox, CallerClass.Partner,
            [Scopes.AccessWrite, Scopes.RegistryRead], null, [], null, "ib-pos"), TimeProvider.System);

        var problem = await (await Create(path, partner, new { name = "x", scopes = new[] { "registry:read" }, caller_class = "partner", provider = "ib-other" }))
            .ShouldBeProblemAsync(403, ApiKeyIssue.BroaderThanIssuer);
        Assert.Equal("provider", problem.GetProperty("details")[0].GetProperty("field").GetString());
        await (await Create(path, partner, new { name = "x", scopes = new[] { "registry:read" }, caller_class = "customer", customer_id = "cus_any" }))
            .ShouldBeProblemAsync(403, "caller_class_forbidden");

        var created = Credential(path, await CreatedAsync(path, partner, new { name = "x", scopes = new[] { "registry:read" } }));
        Assert.Equal(("partner", "ib-pos"), (created.GetProperty("caller_class").GetString(), created.GetProperty("provider").GetString()));
    }

    [Fact]
    public async Task an_access_token_issues_within_its_clients_bounds()
    {
        var admin = await Fixture.CreateKeyAsync();
        var (mine, other) = (Tenant(), Tenant());
        var customer = await CustomerAsync(admin, mine, other);
        var expires = WholeSeconds(DateTimeOffset.UtcNow.AddDays(2));
        var client = await CreatedAsync(Clients, admin, new
        {
            name = "erp", customer_id = customer, locations = new[] { mine }, expires_at = expires, scopes = new[] { "access:write", "registry:read" }
        });
        var token = await BearerAsync(Clients, client);

        await (await Create(Keys, token, new { name = "x", scopes = new[] { "registry:read" }, locations = Array.Empty<string>() }))
            .ShouldBeProblemAsync(403, ApiKeyIssue.BroaderThanIssuer);
        await (await Create(Keys, token, new { name = "x", scopes = new[] { "registry:read" }, environment = "production" }))
            .ShouldBeProblemAsync(403, ApiKeyIssue.BroaderThanIssuer);
        await (await Create(Keys, token, new { name = "x", scopes = new[] { "registry:read" }, expires_at = expires.AddHours(1) }))
            .ShouldBeProblemAsync(403, ApiKeyIssue.BroaderThanIssuer);
        await (await Create(Clients, token, new { name = "x", scopes = new[] { "registry:write" } }))
            .ShouldBeProblemAsync(403, "insufficient_scope");

        var key = Credential(Keys, await CreatedAsync(Keys, token, new { name = "x", scopes = new[] { "registry:read" } }));
        Assert.Equal([mine], Strings(key.GetProperty("locations")));
        Assert.Equal(expires, key.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(customer, key.GetProperty("customer_id").GetString());
    }

    [Fact]
    public async Task a_customer_client_without_locations_acts_for_every_location_of_its_customer_like_a_key()
    {
        var admin = await Fixture.CreateKeyAsync();
        var (first, later, foreign) = (Tenant(), Tenant(), Tenant());
        var customer = await CustomerAsync(admin, first);
        await CustomerAsync(admin, foreign);
        var client = await CreatedAsync(Clients, admin, new { name = "erp", customer_id = customer, scopes = new[] { "registry:read" } });
        Assert.Empty(client.GetProperty("locations").EnumerateArray());
        Assert.Equal(201, (await CallAsync(admin, s => s.Post.Json(new { tenant_id = later, name = later })
            .ToUrl($"/api/v1/customers/{customer}/locations"))).Context.Response.StatusCode);

        var token = await BearerAsync(Clients, client);

        Assert.Equal(200, await ConnectionsStatusAsync(token, first));
        Assert.Equal(200, await ConnectionsStatusAsync(token, later));
        Assert.Equal(404, await ConnectionsStatusAsync(token, foreign));
    }

    [Theory]
    [InlineData(Keys)]
    [InlineData(Clients)]
    public async Task an_internal_issuer_names_an_existing_customer_and_its_locations_or_asks_for_an_internal_credential(string path)
    {
        var admin = await Fixture.CreateKeyAsync();
        var (mine, theirs) = (Tenant(), Tenant());
        var customer = await CustomerAsync(admin, mine);
        await CustomerAsync(admin, theirs);

        var problem = await (await Create(path, admin, new { name = "x", scopes = new[] { "dispatches:read" } }))
            .ShouldBeProblemAsync(400, "validation_failed");
        var detail = problem.GetProperty("details")[0];
        Assert.Equal(("customer_id", "required"), (detail.GetProperty("field").GetString(), detail.GetProperty("issue").GetString()));
        Assert.Contains("caller_class internal", detail.GetProperty("hint").GetString());
        await (await Create(path, admin, new { name = "x", scopes = new[] { "dispatches:read" }, customer_id = Customer.IdFor(Guid.NewGuid()) }))
            .ShouldBeProblemAsync(404, "not_found");
        await (await Create(path, admin, new { name = "x", scopes = new[] { "dispatches:read" }, customer_id = customer, locations = new[] { theirs } }))
            .ShouldBeProblemAsync(404, "not_found");

        Assert.Equal("internal", Credential(path, await CreatedAsync(path, admin, new { name = "x", scopes = new[] { "dispatches:read" }, caller_class = "internal" }))
            .GetProperty("caller_class").GetString());
        Assert.Equal([mine], Strings(Credential(path, await CreatedAsync(path, admin,
            new { name = "x", scopes = new[] { "dispatches:read" }, customer_id = customer, locations = new[] { mine } })).GetProperty("locations")));
    }

    [Fact]
    public async Task an_expired_client_gets_no_token_and_its_tokens_stop()
    {
        var now = DateTimeOffset.UtcNow;
        var (registered, secret) = OAuthClient.Register(new ApiKeyRequest("expired", ProviderEnvironment.Sandbox, CallerClass.Internal,
            [Scopes.DispatchesRead], null, [], now.AddMinutes(-1)), now.AddHours(-1));
        await using (var session = Fixture.Store.LightweightSession())
        {
            session.Events.StartStream<OAuthClient>(registered.StreamId, registered);
            await session.SaveChangesAsync();
        }

        var refused = await Host.Scenario(s =>
        {
            s.Post.Json(new { grant_type = "client_credentials", client_id = registered.ClientId, client_secret = secret }).ToUrl("/api/v1/oauth/token");
            s.IgnoreStatusCode();
        });
        Assert.Equal(401, refused.Context.Response.StatusCode);
        Assert.Equal("invalid_client", (await refused.ReadAsJsonAsync<JsonElement>()).GetProperty("error").GetString());

        // A token issued while the client still looked valid stops with the client.
        var tokens = Host.Services.GetRequiredService<AccessTokens>();
        var (token, _) = tokens.Issue(OAuthClient.Create(registered) with { ExpiresAt = null }, [Scopes.DispatchesRead]);
        await (await CallAsync(token, s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "token_expired");
    }

    [Fact]
    public async Task a_token_never_outlives_its_client()
    {
        var admin = await Fixture.CreateKeyAsync();
        var client = await CreatedAsync(Clients, admin, new
        {
            name = "short-lived", caller_class = "internal", scopes = new[] { "dispatches:read" }, expires_at = DateTimeOffset.UtcNow.AddMinutes(5)
        });

        var issued = await Host.Scenario(s => s.Post.Json(new
        {
            grant_type = "client_credentials", client_id = client.GetProperty("client_id").GetString(), client_secret = client.GetProperty("client_secret").GetString()
        }).ToUrl("/api/v1/oauth/token"));

        Assert.InRange((await issued.ReadAsJsonAsync<JsonElement>()).GetProperty("expires_in").GetInt32(), 1, 300);
    }
}

/// <summary>Identifiers and names on the access endpoints have documented maximum lengths (<see cref="IdentifierLimits"/>).</summary>
[Collection(AccessCollection.Name)]
public sealed class AccessInputLimitsTests(AppFixture fixture) : ApiTest(fixture)
{
    public static TheoryData<string, string, string> CredentialInputs => new()
    {
        { "/api/v1/api-keys", """{"name": "NAME", "scopes": ["dispatches:read"], "caller_class": "internal"}""".Replace("NAME", new string('n', 201)), "name" },
        { "/api/v1/oauth/clients", """{"name": "a\u0000b", "scopes": ["dispatches:read"], "caller_class": "internal"}""", "name" },
        { "/api/v1/api-keys", $$"""{"name": "x", "scopes": ["dispatches:read"], "customer_id": "{{new string('c', 65)}}"}""", "customer_id" },
        { "/api/v1/oauth/clients", $$"""{"name": "x", "scopes": ["dispatches:read"], "customer_id": "cus_1", "locations": ["{{new string('l', 65)}}"]}""", "locations" },
        { "/api/v1/api-keys", """{"name": "x", "scopes": ["registry:read"], "caller_class": "partner", "provider": "no such/provider"}""", "provider" }
    };

    [Theory]
    [MemberData(nameof(CredentialInputs))]
    public async Task credential_fields_beyond_their_limits_are_400(string path, string body, string field)
    {
        var admin = await Fixture.CreateKeyAsync();

        var problem = await (await CallAsync(admin, s =>
            {
                s.Post.Text(body).ToUrl(path);
                s.WithRequestHeader("Content-Type", "application/json");
            }))
            .ShouldBeProblemAsync(400, "validation_failed");

        Assert.Equal(field, problem.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task customer_and_location_fields_beyond_their_limits_are_400()
    {
        var admin = await Fixture.CreateKeyAsync();
        await (await CallAsync(admin, s => s.Post.Json(new { name = new string('n', IdentifierLimits.Name + 1) }).ToUrl("/api/v1/customers")))
            .ShouldBeProblemAsync(400, "validation_failed");
        var (customer, _) = await CustomerWithLocationAsync(admin, "lim-" + Guid.NewGuid().ToString("N")[..12]);

        var tooLong = await (await CallAsync(admin, s => s.Post.Json(new { tenant_id = new string('t', IdentifierLimits.Id + 1), name = "x" })
            .ToUrl($"/api/v1/customers/{customer}/locations"))).ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal(("tenant_id", "too_long"), (tooLong.GetProperty("details")[0].GetProperty("field").GetString(),
            tooLong.GetProperty("details")[0].GetProperty("issue").GetString()));
        await (await CallAsync(admin, s => s.Post.Json(new { tenant_id = "lim-nul", name = "a\0b" })
            .ToUrl($"/api/v1/customers/{customer}/locations"))).ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal(201, (await CallAsync(admin, s => s.Post.Json(new { tenant_id = new string('t', IdentifierLimits.Id), name = new string('n', IdentifierLimits.Name) })
            .ToUrl($"/api/v1/customers/{customer}/locations"))).Context.Response.StatusCode);
    }
}
