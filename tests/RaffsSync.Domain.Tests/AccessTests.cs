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

    [Fact]
    public void registry_stream_ids_are_stable_and_distinct()
    {
        Assert.Equal(RegistryIds.Route("takeapp", "orders.pull"), RegistryIds.Route("takeapp", "orders.pull"));
        Assert.NotEqual(RegistryIds.Route("takeapp", "orders.pull"), RegistryIds.Route("takeapp", "orders.push"));
        Assert.NotEqual(RegistryIds.Provider("takeapp"), RegistryIds.Route("takeapp", ""));
        Assert.Equal(5, RegistryIds.Provider("takeapp").Version);
    }
}
