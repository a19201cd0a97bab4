namespace RaffsSync.Domain.Registry;

public sealed record Provider
{
    public Guid Id { get; init; }
    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string AuthKind { get; init; } = "none";
    public IReadOnlyDictionary<ProviderEnvironment, string> BaseUrls { get; init; } =
        new Dictionary<ProviderEnvironment, string>();

    public static Provider Create(ProviderRegistered e) => new()
    {
        Id = RegistryIds.Provider(e.Key),
        Key = e.Key,
        Name = e.Name,
        AuthKind = e.AuthKind,
        BaseUrls = e.BaseUrls
    };
}
