namespace RaffsSync.Domain.Access;

/// <summary>An account holder; it owns locations, and its keys act for them.</summary>
public sealed record CustomerCreated(Guid CustomerStreamId, string CustomerId, string Name, DateTimeOffset CreatedAt);

/// <summary>A location (tenant) now belongs to the customer; a tenant id belongs to one customer only.</summary>
public sealed record LocationAdded(string CustomerId, string TenantId, string Name, DateTimeOffset AddedAt);

public sealed record Customer
{
    public Guid Id { get; init; }
    public string CustomerId { get; init; } = "";
    public string Name { get; init; } = "";
    public IReadOnlyList<string> Locations { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }

    public static Customer Create(CustomerCreated e) => new()
    {
        Id = e.CustomerStreamId, CustomerId = e.CustomerId, Name = e.Name, CreatedAt = e.CreatedAt
    };

    public Customer Apply(LocationAdded e) => this with { Locations = [.. Locations, e.TenantId] };

    /// <summary><c>cus_</c> and 32 hex digits: the customer id callers see, tied to its stream id.</summary>
    public static string IdFor(Guid streamId) => "cus_" + streamId.ToString("N");

    public static Guid? StreamIdOf(string customerId) =>
        customerId.StartsWith("cus_", StringComparison.Ordinal) && Guid.TryParseExact(customerId[4..], "N", out var id) ? id : null;
}

/// <summary>Which customer a tenant id belongs to: the uniqueness guard and the lookup for authorization.</summary>
public sealed class Location
{
    public string Id { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Name { get; set; } = "";
    public DateTimeOffset AddedAt { get; set; }
}
