using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;

namespace RaffsSync.Api.Access;

public sealed record CreateCustomer(string? Name);

public sealed record AddLocation([property: JsonConverter(typeof(StringOrNumberConverter))] string? TenantId, string? Name);

public sealed record CustomerView(string Id, string Name, IReadOnlyList<string> Locations, DateTimeOffset CreatedAt)
{
    public static CustomerView From(Customer c) => new(c.CustomerId, c.Name, c.Locations, c.CreatedAt);
}

public sealed record LocationView(string TenantId, string CustomerId, string Name, DateTimeOffset AddedAt)
{
    public static LocationView From(Location l) => new(l.Id, l.CustomerId, l.Name, l.AddedAt);
}

/// <summary>Customers and the locations (tenants) they own. Only internal callers create customers.</summary>
public static class CustomerEndpoints
{
    /// <summary>Creates a customer (internal callers only).</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost("/api/v1/customers")]
    public static IResult Create(CreateCustomer input, IDocumentSession session, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(input.Name)) return ProblemResults.Validation([new FieldError("name", "required")]);
        if (IdentifierLimits.Check("name", input.Name, IdentifierLimits.Name) is { } badName) return ProblemResults.Validation([badName]);

        var streamId = Guid.CreateVersion7();
        var created = new CustomerCreated(streamId, Customer.IdFor(streamId), input.Name, clock.GetUtcNow());
        session.Events.StartStream<Customer>(streamId, created);
        return Results.Created(ResourcePath.Of("customers", created.CustomerId), CustomerView.From(Customer.Create(created)));
    }

    /// <summary>A customer and its locations.</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineGet("/api/v1/customers/{id}")]
    public static async Task<IResult> Get(string id, IQuerySession session, HttpContext context, CancellationToken cancellation) =>
        await FindAsync(session, id, Caller.From(context.User), cancellation) is { } customer
            ? Results.Ok(CustomerView.From(customer))
            : CustomerNotFound(id);

    /// <summary>Adds a location (tenant id) to a customer; a tenant id has one owner.</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverinePost("/api/v1/customers/{id}/locations")]
    public static async Task<IResult> AddLocation(string id, AddLocation input, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken cancellation)
    {
        if (await FindAsync(session, id, Caller.From(context.User), cancellation) is not { } customer) return CustomerNotFound(id);
        var errors = new List<FieldError>();
        if (IdentifierLimits.Check("tenant_id", input.TenantId, IdentifierLimits.Id) is { } badTenant) errors.Add(badTenant);
        else if (!RouteValidation.IsValidKey(input.TenantId)) errors.Add(new("tenant_id", input.TenantId is null ? "required" : "invalid"));
        if (string.IsNullOrWhiteSpace(input.Name)) errors.Add(new("name", "required"));
        else if (IdentifierLimits.Check("name", input.Name, IdentifierLimits.Name) is { } badName) errors.Add(badName);
        if (errors.Count > 0) return ProblemResults.Validation(errors);

        if (await session.LoadAsync<Location>(input.TenantId!, cancellation) is not null)
            return Results.Problem(ApiProblems.Create(409, "conflict", $"Location '{input.TenantId}' already belongs to a customer."));

        var added = new LocationAdded(customer.CustomerId, input.TenantId!, input.Name!, clock.GetUtcNow());
        session.Events.Append(customer.Id, added);
        // Inserted, not stored: a concurrent claim of the same tenant id fails on the key instead of overwriting.
        session.Insert(new Location { Id = added.TenantId, CustomerId = added.CustomerId, Name = added.Name, AddedAt = added.AddedAt });
        return Results.Created(ResourcePath.Of("locations", added.TenantId),
            new LocationView(added.TenantId, added.CustomerId, added.Name, added.AddedAt));
    }

    /// <summary>A location and the customer that owns it.</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineGet("/api/v1/locations/{tenantId}")]
    public static async Task<IResult> GetLocation(string tenantId, IQuerySession session, HttpContext context, CancellationToken cancellation)
    {
        var location = await session.LoadAsync<Location>(tenantId, cancellation);
        var caller = Caller.From(context.User);
        // A credential that names its locations sees only those, even among its customer's.
        return location is not null && (caller.Class == CallerClass.Internal || (caller.CustomerId == location.CustomerId && caller.CanAccess(tenantId)))
            ? Results.Ok(LocationView.From(location))
            : ProblemResults.NotFound("not_found", $"Location '{tenantId}' was not found.");
    }

    /// <summary>Internal callers see every customer; a customer's own keys see only it.</summary>
    private static async Task<Customer?> FindAsync(IQuerySession session, string id, Caller caller, CancellationToken cancellation)
    {
        if (Customer.StreamIdOf(id) is not { } streamId) return null;
        if (caller.Class != CallerClass.Internal && caller.CustomerId != id) return null;
        return await session.LoadAsync<Customer>(streamId, cancellation);
    }

    private static IResult CustomerNotFound(string id) => ProblemResults.NotFound("not_found", $"Customer '{id}' was not found.");
}
