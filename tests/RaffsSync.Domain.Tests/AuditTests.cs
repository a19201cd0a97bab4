using RaffsSync.Domain.Access;
using RaffsSync.Domain.Audit;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Tests;

public sealed class AuditTests
{
    private static AuditEntry Entry(long sequence, string data = """{"a":1}""") => new(
        sequence, new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero).AddTicks(sequence * 1234567),
        AuditScopes.Location, "29", null, Guid.Empty.ToString(), "dispatch_requested", "key-1", "customer",
        "req-1", null, "Dispatch requested", data);

    private static List<(AuditEntry Entry, string Previous, string Hash)> Chain(params AuditEntry[] entries)
    {
        var previous = AuditChain.Genesis;
        var chain = new List<(AuditEntry, string, string)>();
        foreach (var entry in entries)
        {
            var hash = AuditChain.Link(previous, entry);
            chain.Add((entry, previous, hash));
            previous = hash;
        }
        return chain;
    }

    private static AuditChainVerifier Verify(IEnumerable<(AuditEntry Entry, string Previous, string Hash)> chain, string? anchor = null)
    {
        var verifier = new AuditChainVerifier(anchor ?? AuditChain.Genesis);
        foreach (var (entry, previous, hash) in chain)
            if (!verifier.Check(entry, previous, hash)) break;
        return verifier;
    }

    [Fact]
    public void an_untouched_chain_verifies()
    {
        var verifier = Verify(Chain(Entry(1), Entry(2), Entry(5)));

        Assert.Null(verifier.FirstBadSequence);
        Assert.Equal(3, verifier.Checked);
    }

    [Fact]
    public void the_hash_covers_the_previous_hash_and_every_field()
    {
        var entry = Entry(7);
        var hash = AuditChain.Link(AuditChain.Genesis, entry);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, AuditChain.Link(AuditChain.Genesis, entry with { }));
        Assert.NotEqual(hash, AuditChain.Link(new string('1', 64), entry));
        Assert.NotEqual(hash, AuditChain.Link(AuditChain.Genesis, entry with { Actor = "key-2" }));
        Assert.NotEqual(hash, AuditChain.Link(AuditChain.Genesis, entry with { Data = """{"a":2}""" }));
        Assert.NotEqual(hash, AuditChain.Link(AuditChain.Genesis, entry with { TenantId = null }));
        Assert.NotEqual(hash, AuditChain.Link(AuditChain.Genesis, entry with { OccurredAt = entry.OccurredAt.AddTicks(10) }));
    }

    [Fact]
    public void times_are_hashed_at_the_microsecond_precision_postgresql_keeps()
    {
        var entry = Entry(1);
        var stored = entry with { OccurredAt = new DateTimeOffset(entry.OccurredAt.Ticks / 10 * 10, TimeSpan.Zero) };
        var inAnotherZone = entry with { OccurredAt = entry.OccurredAt.ToOffset(TimeSpan.FromHours(7)) };

        Assert.Equal(AuditChain.Canonical(entry), AuditChain.Canonical(stored));
        Assert.Equal(AuditChain.Canonical(entry), AuditChain.Canonical(inAnotherZone));
    }

    [Fact]
    public void an_edited_entry_is_reported_by_its_sequence()
    {
        var chain = Chain(Entry(1), Entry(2), Entry(3), Entry(4));
        chain[2] = chain[2] with { Entry = chain[2].Entry with { Data = """{"a":"edited"}""" } };

        var verifier = Verify(chain);

        Assert.Equal(3, verifier.FirstBadSequence);
        Assert.Equal(3, verifier.Checked);
    }

    [Fact]
    public void an_edit_with_a_recomputed_hash_still_breaks_the_next_link()
    {
        var chain = Chain(Entry(1), Entry(2), Entry(3));
        var forged = chain[1].Entry with { Summary = "nothing happened" };
        chain[1] = (forged, chain[1].Previous, AuditChain.Link(chain[1].Previous, forged));

        Assert.Equal(3, Verify(chain).FirstBadSequence);
    }

    [Fact]
    public void a_removed_entry_breaks_the_chain_where_it_was()
    {
        var chain = Chain(Entry(1), Entry(2), Entry(3));
        chain.RemoveAt(1);

        Assert.Equal(3, Verify(chain).FirstBadSequence);
    }

    [Fact]
    public void a_range_is_verified_from_the_hash_before_it()
    {
        var chain = Chain(Entry(1), Entry(2), Entry(3), Entry(4));

        Assert.Null(Verify(chain.Skip(2), anchor: chain[1].Hash).FirstBadSequence);
        Assert.Equal(3, Verify(chain.Skip(2), anchor: chain[0].Hash).FirstBadSequence);
    }

    [Fact]
    public void secrets_are_redacted_at_any_depth_and_keys_are_sorted()
    {
        var json = """{"z":1,"secret_hash":"abc","auth":{"client_secret":"s","token_url":"https://x"},"items":[{"password":"p","name":"n"}],"a":null}""";

        var canonical = AuditRedaction.CanonicalJson(json);

        Assert.Equal("""{"a":null,"auth":{"client_secret":"[redacted]","token_url":"https://x"},"items":[{"name":"n","password":"[redacted]"}],"secret_hash":"[redacted]","z":1}""", canonical);
        Assert.Equal(canonical, AuditRedaction.CanonicalJson(canonical));
    }

    [Theory]
    [InlineData("secret", true)]
    [InlineData("Client-Secret", true)]
    [InlineData("refresh_token", true)]
    [InlineData("token_url", false)]
    [InlineData("display_prefix", false)]
    [InlineData("idempotency_key", false)]
    public void secret_names(string name, bool secret) => Assert.Equal(secret, AuditRedaction.IsSecretName(name));

    [Fact]
    public void registry_changes_are_readable_by_everyone_and_customer_streams_keep_their_owner()
    {
        var revised = new RouteRevised("takeapp", "orders.push", 2, null!, DateTimeOffset.UnixEpoch);
        var created = new ApiKeyCreated(Guid.NewGuid(), "k", "rsk_test_abc", "h", ProviderEnvironment.Sandbox, CallerClass.Customer,
            [Scopes.AuditRead], "cus_1", ["29"], DateTimeOffset.UnixEpoch);
        var owner = AuditOwner.For(created, null, null);

        Assert.Equal(AuditScopes.Registry, AuditOwner.For(revised, null, null).Scope);
        Assert.Equal(new AuditOwner(AuditScopes.Customer, null, "cus_1"), owner);
        Assert.Equal(owner, AuditOwner.For(new ApiKeyRevoked(created.KeyId, DateTimeOffset.UnixEpoch), null, owner));
        Assert.Equal(AuditOwner.Internal, AuditOwner.For(new ApiKeyRevoked(created.KeyId, DateTimeOffset.UnixEpoch), null, null));
        Assert.Equal(new AuditOwner(AuditScopes.Location, "29", null), AuditOwner.For(revised, "29", null));
    }
}
