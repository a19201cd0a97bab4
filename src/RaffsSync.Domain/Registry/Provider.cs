namespace RaffsSync.Domain.Registry;

public sealed record Provider
{
    public Guid Id { get; init; }
    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string AuthKind { get; init; } = "none";
    public string? InboundSignature { get; init; }
    public InboundSettings? Inbound { get; init; }
    public IReadOnlyDictionary<ProviderEnvironment, string> BaseUrls { get; init; } =
        new Dictionary<ProviderEnvironment, string>();
    public bool Retired { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Providers that authenticate callers need a connection (credentials) per location.</summary>
    public bool NeedsConnection => AuthKind != "none";

    /// <summary>How its pushes are verified and read: the <c>inbound</c> object, else what the <c>inbound_signature</c> shorthand stands for; null when it takes none.</summary>
    public InboundSettings? EffectiveInbound() => Inbound ?? InboundSettings.FromShorthand(InboundSignature);

    public static Provider Create(ProviderRegistered e) => new()
    {
        Id = RegistryIds.Provider(e.Key),
        Key = e.Key,
        Name = e.Name,
        AuthKind = e.AuthKind,
        InboundSignature = e.InboundSignature,
        Inbound = e.Inbound,
        BaseUrls = e.BaseUrls,
        CreatedAt = e.RegisteredAt,
        UpdatedAt = e.RegisteredAt
    };

    public Provider Apply(ProviderChanged e) => this with
    {
        Name = e.Name,
        AuthKind = e.AuthKind,
        InboundSignature = e.InboundSignature,
        Inbound = e.Inbound,
        BaseUrls = e.BaseUrls,
        UpdatedAt = e.ChangedAt
    };

    public Provider Apply(ProviderRetired e) => this with { Retired = true, UpdatedAt = e.RetiredAt };

    /// <summary>The provider after one more of its events; what the projection stores, for answering before commit.</summary>
    public static Provider Evolve(Provider? current, object e) => e switch
    {
        ProviderRegistered registered => Create(registered),
        ProviderChanged changed => current!.Apply(changed),
        ProviderRetired retired => current!.Apply(retired),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "not a provider event")
    };
}
