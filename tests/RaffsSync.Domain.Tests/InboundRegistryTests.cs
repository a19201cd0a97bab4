using System.Text.Json;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Inbound;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Tests;

/// <summary>Inbound settings on providers, inbound route kinds, expressions, dedupe and routing.</summary>
public sealed class InboundRegistryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> Urls = new() { ["sandbox"] = "https://a.example" };

    private static IReadOnlyList<(string, string)> ProviderErrors(InboundSettings? inbound, string key = "acme", string? shorthand = null) =>
        ProviderValidation.Validate(key, "Acme", "none", Urls, inbound: inbound, inboundSignature: shorthand)
            .Select(e => (e.Field, e.Issue)).ToList();

    private static InboundSettings Hmac(SignatureScheme? scheme = null) =>
        new(scheme ?? new SignatureScheme(SignatureScheme.HmacSha256, "X-Signature"));

    [Fact]
    public void the_documented_schemes_are_valid()
    {
        Assert.Empty(ProviderErrors(Hmac()));
        Assert.Empty(ProviderErrors(new InboundSettings(
            new SignatureScheme(SignatureScheme.HmacSha256, "X-Sig", "base64", "sha256=", "{timestamp}.{body}", "X-Ts", "PT1M", "signing_key"),
            "header:X-Event", "data.event_id", "P1D")));
        Assert.Empty(ProviderErrors(new InboundSettings(new SignatureScheme(SignatureScheme.Token, "Authorization", Prefix: "Bearer "))));
        Assert.Empty(ProviderErrors(new InboundSettings(new SignatureScheme(SignatureScheme.Basic, Username: "u", Password: "p"))));
        Assert.Empty(ProviderErrors(null, shorthand: "hmac-sha256:X-Signature"));
    }

    [Fact]
    public void unsigned_pushes_are_for_the_built_in_sandbox_only()
    {
        var none = new InboundSettings(new SignatureScheme(SignatureScheme.None));

        Assert.Equal([("inbound.signature.type", "forbidden")], ProviderErrors(none));
        Assert.Empty(ProviderErrors(none, key: ProviderValidation.SandboxKey));
    }

    [Fact]
    public void each_problem_of_the_inbound_settings_names_its_field()
    {
        Assert.Equal([("inbound.signature", "required")], ProviderErrors(new InboundSettings()));
        Assert.Equal([("inbound.signature.type", "unsupported")], ProviderErrors(Hmac(new SignatureScheme("md5", "X"))));
        Assert.Equal([("inbound.signature.header", "required")], ProviderErrors(Hmac(new SignatureScheme(SignatureScheme.HmacSha256))));
        Assert.Equal(
        [
            ("inbound.event_type", "invalid_expression"), ("inbound.event_id", "invalid"), ("inbound.dedupe_window", "invalid"),
            ("inbound.signature.header", "invalid"), ("inbound.signature.secret", "invalid"), ("inbound.signature.encoding", "unsupported"),
            ("inbound.signature.timestamp_header", "required")
        ], ProviderErrors(new InboundSettings(
            new SignatureScheme(SignatureScheme.HmacSha256, "X Sig", "base32", SignedContent: "{timestamp}{body}", Secret: "a secret"),
            "data.[[", "header:X Bad", "seven days")));
        Assert.Equal([("inbound.signature.signed_content", "invalid")],
            ProviderErrors(Hmac(new SignatureScheme(SignatureScheme.HmacSha256, "X", SignedContent: "{timestamp}", TimestampHeader: "X-T"))));
        Assert.Equal([("inbound.signature.signed_content", "invalid_template")],
            ProviderErrors(Hmac(new SignatureScheme(SignatureScheme.HmacSha256, "X", SignedContent: "{id}.{body}"))));
        Assert.Equal([("inbound.signature.tolerance", "out_of_range")],
            ProviderErrors(Hmac(new SignatureScheme(SignatureScheme.HmacSha256, "X", TimestampHeader: "X-T", Tolerance: "P2D"))));
        Assert.Equal([("inbound.signature.tolerance", "not_applicable")],
            ProviderErrors(Hmac(new SignatureScheme(SignatureScheme.HmacSha256, "X", Tolerance: "PT1M"))));
    }

    [Fact]
    public void members_of_other_schemes_are_refused_rather_than_ignored()
    {
        Assert.Equal([("inbound.signature.encoding", "not_applicable"), ("inbound.signature.timestamp_header", "not_applicable")],
            ProviderErrors(Hmac(new SignatureScheme(SignatureScheme.Token, "X-Token", Encoding: "hex", TimestampHeader: "X-T"))));
        Assert.Equal([("inbound.signature.header", "not_applicable"), ("inbound.signature.secret", "not_applicable")],
            ProviderErrors(Hmac(new SignatureScheme(SignatureScheme.Basic, "X", Secret: "s"))));
        Assert.Equal([("inbound.signature.username", "not_applicable")],
            ProviderErrors(Hmac(new SignatureScheme(SignatureScheme.HmacSha256, "X", Username: "u"))));
    }

    [Theory]
    [InlineData("hmac-sha256:X-Signature", true)]
    [InlineData("hmac-sha256:", false)]
    [InlineData("sha1:X-Signature", false)]
    [InlineData("hmac-sha256:X Signature", false)]
    public void the_inbound_signature_shorthand_is_checked(string shorthand, bool valid) =>
        Assert.Equal(valid, ProviderErrors(null, shorthand: shorthand).Count == 0);

    [Fact]
    public void the_shorthand_stands_for_hmac_of_the_body_in_hex_when_there_is_no_inbound_object()
    {
        var shorthand = Provider.Create(new ProviderRegistered("acme", "Acme", "none",
            new Dictionary<ProviderEnvironment, string>(), T0, "hmac-sha256:X-Acme-Signature"));
        var settings = shorthand.EffectiveInbound()!;

        Assert.Equal(new SignatureScheme(SignatureScheme.HmacSha256, "X-Acme-Signature"), settings.Signature);
        Assert.Equal(("hex", "{body}", "webhook_secret"), (settings.Signature!.EffectiveEncoding, settings.Signature.EffectiveSignedContent,
            settings.Signature.EffectiveSecret));
        Assert.Equal(("type", "id", TimeSpan.FromDays(7)), (settings.EffectiveEventType, settings.EffectiveEventId, settings.EffectiveDedupeWindow));

        var both = shorthand with { Inbound = new InboundSettings(new SignatureScheme(SignatureScheme.Token, "X-Token")) };
        Assert.Equal(SignatureScheme.Token, both.EffectiveInbound()!.Signature!.Type);
        Assert.Null((shorthand with { InboundSignature = null }).EffectiveInbound());
    }

    [Fact]
    public void a_changed_inbound_object_is_a_change_and_the_same_one_is_not()
    {
        var urls = new Dictionary<ProviderEnvironment, string> { [ProviderEnvironment.Sandbox] = "https://a.example" };
        var provider = Provider.Create(new ProviderRegistered("acme", "Acme", "none", urls, T0, Inbound: Hmac()));

        Assert.Empty(Assert.IsType<Decision.Append>(ProviderDecisions.Change(provider,
            new ProviderChanged("acme", "Acme", "none", urls, T0, Inbound: Hmac()))).Events);
        Assert.Single(Assert.IsType<Decision.Append>(ProviderDecisions.Change(provider,
            new ProviderChanged("acme", "Acme", "none", urls, T0, Inbound: Hmac() with { EventType = "header:X-Event" }))).Events);
    }

    [Fact]
    public void expressions_read_a_header_or_the_json_body()
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["X-Event"] = " order.paid " };
        const string body = """{"type": "order.created", "meta": {"seq": 42, "tags": ["a"]}, "empty": ""}""";
        string? Read(string expression) => InboundExpression.Evaluate(expression, name => headers.GetValueOrDefault(name), body);

        Assert.Equal("order.paid", Read("header:x-event"));
        Assert.Null(Read("header:X-Missing"));
        Assert.Equal("order.created", Read("type"));
        Assert.Equal("42", Read("meta.seq"));
        Assert.Null(Read("meta.tags"));
        Assert.Null(Read("meta"));
        Assert.Null(Read("empty"));
        Assert.Null(Read("nothing.here"));
        Assert.Null(InboundExpression.Evaluate("type", _ => null, bodyJson: null));
    }

    [Fact]
    public void a_repeated_event_id_within_the_window_is_a_duplicate_and_after_it_a_new_event()
    {
        var connection = Guid.NewGuid();
        var first = Assert.IsType<InboundDedupe.Store>(InboundDedupe.Decide(null, connection, "evt_1", Guid.NewGuid(), T0, TimeSpan.FromDays(7)));
        var key = first.Key!;
        Assert.Null(first.Replaces);
        Assert.Equal(InboundEventKey.IdFor(connection, "evt_1"), key.Id);
        Assert.NotEqual(InboundEventKey.IdFor(Guid.NewGuid(), "evt_1"), key.Id);
        Assert.NotEqual(InboundEventKey.IdFor(connection, "evt_2"), key.Id);

        var again = InboundDedupe.Decide(key, connection, "evt_1", Guid.NewGuid(), T0.AddDays(6), TimeSpan.FromDays(7));
        Assert.Equal(new InboundDedupe.Duplicate(key.InboundEventId), again);

        var stored = key with { Version = 3 };
        var later = Assert.IsType<InboundDedupe.Store>(InboundDedupe.Decide(stored, connection, "evt_1", Guid.NewGuid(), T0.AddDays(7), TimeSpan.FromDays(7)));
        Assert.Equal(3, later.Replaces);
        Assert.Equal(T0.AddDays(7), later.Key!.ReceivedAt);
        Assert.NotEqual(key.InboundEventId, later.Key.InboundEventId);

        Assert.Equal(new InboundDedupe.Store(null, null), InboundDedupe.Decide(null, connection, null, Guid.NewGuid(), T0, TimeSpan.FromDays(7)));
    }

    private static Route RouteOf(string provider, string key, RouteDefinition definition, bool enabled = true, bool retired = false) =>
        Route.Create(new RouteDefined(provider, key, 1, definition, T0), new ChangeSource(null, null)) with { Enabled = enabled, Retired = retired };

    private static readonly InboundEventReceived Received = new(Guid.NewGuid(), "29", "pusher", Guid.NewGuid(), ProviderEnvironment.Sandbox,
        "order.created", "evt_9", """{"id":"evt_9","data":{"total":125000}}""", false, "ab", T0);

    private const string Body = """{"id":"evt_9","data":{"total":125000}}""";

    private static readonly RouteDefinition Forward = new(RouteDefinition.ForwardKind, Event: "order.created");

    private static RouteDefinition ChainTo(string provider, string routeKey, string payload = "event") =>
        new(RouteDefinition.ChainKind, Event: "order.created", Chain: new ChainTarget(provider, routeKey, payload));

    [Fact]
    public void only_enabled_current_inbound_routes_for_the_event_type_match()
    {
        var routes = new[]
        {
            RouteOf("pusher", "b.forward", Forward),
            RouteOf("pusher", "a.chain", ChainTo("books", "invoices.create")),
            RouteOf("pusher", "disabled", Forward, enabled: false),
            RouteOf("pusher", "retired", Forward, retired: true),
            RouteOf("pusher", "other", Forward with { Event = "order.paid" }),
            RouteOf("pusher", "http", new RouteDefinition("http", new RequestTemplate("GET", "/x")))
        };

        Assert.Equal(["a.chain", "b.forward"], InboundRouting.Matching(routes, "order.created").Select(r => r.RouteKey));
    }

    [Fact]
    public void an_event_no_route_takes_is_unrouted_with_the_reason()
    {
        var plan = InboundRouting.Plan(Received, [], new Dictionary<string, ChainTargetState>(), Body, new Dictionary<string, string>(), Guid.NewGuid, T0);

        var unrouted = Assert.IsType<InboundEventUnrouted>(Assert.Single(plan.Events));
        Assert.Equal("no enabled route for event type order.created", unrouted.Reason);
        Assert.Empty(plan.Dispatches);
    }

    [Fact]
    public void forward_routes_send_the_event_as_provider_dot_event_or_their_own_type()
    {
        var routes = new[] { RouteOf("pusher", "a", Forward), RouteOf("pusher", "b", Forward with { Forward = new ForwardTarget("orders.new") }) };

        var plan = InboundRouting.Plan(Received, routes, new Dictionary<string, ChainTargetState>(), Body, new Dictionary<string, string>(), Guid.NewGuid, T0);

        Assert.Equal(["pusher.order.created", "orders.new"], plan.Events.Cast<InboundEventRouted>().Select(e => e.ForwardedAs));
        Assert.All(plan.Events.Cast<InboundEventRouted>(), e => Assert.Equal(("forward", (Guid?)null), (e.Kind, e.DispatchId)));
    }

    [Fact]
    public void a_chain_route_starts_a_dispatch_pinned_to_the_target_with_the_mapped_payload()
    {
        var target = RouteOf("books", "invoices.create", new RouteDefinition("http", new RequestTemplate("POST", "/invoices"))) with { CurrentVersion = 1 };
        var books = Provider.Create(new ProviderRegistered("books", "Books", "bearer", new Dictionary<ProviderEnvironment, string>(), T0));
        var connection = new Connection { Id = Guid.NewGuid(), TenantId = "29", Provider = "books" };
        var chain = RouteOf("pusher", "to-books",
            ChainTo("books", "invoices.create", "{total: event.data.total, ref: inbound.provider_event_id, outlet: connection.settings.outlet, from: inbound.id}"));
        var dispatchId = Guid.NewGuid();

        var plan = InboundRouting.Plan(Received, [chain], new Dictionary<string, ChainTargetState> { ["to-books"] = new(target, books, connection) },
            Body, new Dictionary<string, string> { ["outlet"] = "OUT-7" }, () => dispatchId, T0);

        var requested = Assert.Single(plan.Dispatches);
        Assert.Equal((dispatchId, "29", "books", "invoices.create", 1, ProviderEnvironment.Sandbox, connection.Id, Received.InboundEventId),
            (requested.DispatchId, requested.TenantId, requested.Provider, requested.RouteKey, requested.RouteVersion, requested.Environment,
                requested.ConnectionId, requested.CausedByInboundEvent));
        Assert.Equal($$"""{"total":125000,"ref":"evt_9","outlet":"OUT-7","from":"{{Received.InboundEventId}}"}""",
            JsonSerializer.Serialize(requested.Payload));
        var routed = Assert.IsType<InboundEventRouted>(Assert.Single(plan.Events));
        Assert.Equal(("to-books", "chain", dispatchId), (routed.RouteKey, routed.Kind, routed.DispatchId));
    }

    [Fact]
    public void a_chain_that_cannot_start_is_unrouted_naming_the_route_and_the_other_routes_still_run()
    {
        var target = RouteOf("books", "invoices.create", new RouteDefinition("http", new RequestTemplate("POST", "/invoices")));
        var needsConnection = Provider.Create(new ProviderRegistered("books", "Books", "bearer", new Dictionary<ProviderEnvironment, string>(), T0));
        var open = needsConnection with { AuthKind = "none" };
        var routes = new[]
        {
            RouteOf("pusher", "a.missing", ChainTo("books", "nope")),
            RouteOf("pusher", "b.disabled", ChainTo("books", "invoices.create")),
            RouteOf("pusher", "c.no-connection", ChainTo("books", "invoices.create")),
            RouteOf("pusher", "d.selects-nothing", ChainTo("books", "invoices.create", "event.missing")),
            RouteOf("pusher", "e.forward", Forward)
        };
        var targets = new Dictionary<string, ChainTargetState>
        {
            ["a.missing"] = new(null, open, null),
            ["b.disabled"] = new(target with { Enabled = false }, open, null),
            ["c.no-connection"] = new(target, needsConnection, null),
            ["d.selects-nothing"] = new(target, open, null)
        };

        var plan = InboundRouting.Plan(Received, routes, targets, Body, new Dictionary<string, string>(), Guid.NewGuid, T0);

        Assert.Equal(
        [
            "route a.missing: target route books/nope does not exist",
            "route b.disabled: target route books/invoices.create is disabled",
            "route c.no-connection: location 29 has no active sandbox connection to 'books'",
            "route d.selects-nothing: chain.payload 'event.missing' selects nothing from the event"
        ], plan.Events.OfType<InboundEventUnrouted>().Select(e => e.Reason));
        Assert.Equal("e.forward", Assert.Single(plan.Events.OfType<InboundEventRouted>()).RouteKey);
        Assert.Empty(plan.Dispatches);
        var stored = plan.Events.Aggregate(InboundEvent.Start(Received), (e, next) => e.After(next));
        Assert.Equal("routed", stored.Status);
    }

    [Fact]
    public void inbound_route_kinds_need_an_event_and_chains_a_target()
    {
        Assert.Empty(RouteValidation.Validate(Forward));
        Assert.Empty(RouteValidation.Validate(Forward with { Forward = new ForwardTarget("orders.new") }));
        Assert.Empty(RouteValidation.Validate(ChainTo("books", "invoices.create", "{total: event.data.total}")));

        IReadOnlyList<(string, string)> Errors(RouteDefinition route) => RouteValidation.Validate(route).Select(e => (e.Field, e.Issue)).ToList();
        Assert.Equal([("event", "required")], Errors(Forward with { Event = null }));
        Assert.Equal([("event", "invalid")], Errors(Forward with { Event = "order created" }));
        Assert.Equal([("forward.event_type", "invalid")], Errors(Forward with { Forward = new ForwardTarget("orders.*") }));
        Assert.Equal([("chain", "required")], Errors(Forward with { Kind = "chain" }));
        Assert.Equal([("chain.provider", "required"), ("chain.route_key", "invalid"), ("chain.payload", "invalid_expression")],
            Errors(ChainTo("", "a b", "event.[[")));
        Assert.Equal([("request", "not_applicable"), ("timeout", "not_applicable"), ("chain", "not_applicable")],
            Errors(Forward with { Request = new RequestTemplate("POST", "/x"), Timeout = "PT1S", Chain = new ChainTarget("a", "b") }));
    }

    [Fact]
    public void an_http_route_needs_a_request_and_cannot_handle_an_event()
    {
        IReadOnlyList<(string, string)> Errors(RouteDefinition route) => RouteValidation.Validate(route).Select(e => (e.Field, e.Issue)).ToList();

        Assert.Equal([("request", "required")], Errors(new RouteDefinition("http")));
        Assert.Equal([("event", "not_allowed"), ("forward", "not_applicable")],
            Errors(new RouteDefinition("http", new RequestTemplate("POST", "/x"), Event: "order.created", Forward: new ForwardTarget())));
        Assert.Equal([("kind", "unsupported"), ("request", "required")], Errors(new RouteDefinition("soap")));
    }
}
