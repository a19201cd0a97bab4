using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;

namespace RaffsSync.Api.Access;

/// <summary>A new customer.</summary>
/// <param name="Name">The customer's name, as people know it.</param>
public sealed record CreateCustomer([property: Required, MaxLength(IdentifierLimits.Name)] string? Name) : IExample<CreateCustomer>
{
    public static CreateCustomer Example => new("Warung Ana");
}

/// <summary>A new location of a customer.</summary>
/// <param name="TenantId">The location's tenant id, unique across customers: letters, digits, '.', '_' and '-' (a number is read as its digits).</param>
/// <param name="Name">The location's name, as people know it.</param>
public sealed record AddLocation(
    [property: Required, MaxLength(IdentifierLimits.Id), JsonConverter(typeof(StringOrNumberConverter))] string? TenantId,
    [property: Required, MaxLength(IdentifierLimits.Name)] string? Name) : IExample<AddLocation>
{
    public static AddLocation Example => new("29", "Warung Ana, Kemang");
}

/// <summary>A customer and the locations it owns.</summary>
/// <param name="Id">The customer's id (<c>cus_...</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="Locations">The tenant ids of its locations, in the order they were added.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record CustomerView(string Id, string Name, IReadOnlyList<string> Locations, DateTimeOffset CreatedAt)
{
    public static CustomerView From(Customer c) => new(c.CustomerId, c.Name, c.Locations, c.CreatedAt);
}

/// <summary>A location (tenant) and the customer that owns it.</summary>
public sealed record LocationView(string TenantId, string CustomerId, string Name, DateTimeOffset AddedAt)
{
    public static LocationView From(Location l) => new(l.Id, l.CustomerId, l.Name, l.AddedAt);
}

/// <summary>
/// Customers and the locations (tenants) they own. Only internal callers create customers
/// (<see cref="CreateCustomerEndpoint"/>); <see cref="AddLocationEndpoint"/> adds locations.
/// </summary>
public static class CustomerEndpoints
{
    /// <summary>Get a customer</summary>
    /// <remarks>
    /// The customer and the tenant ids of its locations. Internal callers read any customer; a customer's own
    /// credentials read only their customer, and any other id is 404 `not_found`, as for one that does not exist.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineGet("/api/v1/customers/{id}", OperationId = "getCustomer")]
    public static async Task<Results<Ok<CustomerView>, ProblemHttpResult>> Get(string id, IQuerySession session, Caller caller,
        CancellationToken cancellation) =>
        await FindAsync(session, id, caller, cancellation) is { } customer
            ? TypedResults.Ok(CustomerView.From(customer))
            : TypedResults.Problem(CustomerNotFoundProblem(id));

    /// <summary>Get a location</summary>
    /// <remarks>
    /// The location and the customer that owns it. Internal callers read any location; a customer's credentials
    /// read their customer's locations, and a credential limited to some locations reads only those. Any other
    /// tenant id is 404 `not_found`, as for one that does not exist.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineGet("/api/v1/locations/{tenantId}", OperationId = "getLocation")]
    public static async Task<Results<Ok<LocationView>, ProblemHttpResult>> GetLocation(string tenantId, IQuerySession session, Caller caller,
        CancellationToken cancellation)
    {
        var location = await session.LoadAsync<Location>(tenantId, cancellation);
        // A credential that names its locations sees only those, even among its customer's.
        return location is not null && (caller.Class == CallerClass.Internal || (caller.CustomerId == location.CustomerId && caller.CanAccess(tenantId)))
            ? TypedResults.Ok(LocationView.From(location))
            : TypedResults.Problem(ApiProblems.Create(404, "not_found", $"Location '{tenantId}' was not found."));
    }

    /// <summary>Internal callers see every customer; a customer's own keys see only it.</summary>
    public static async Task<Customer?> FindAsync(IQuerySession session, string id, Caller caller, CancellationToken cancellation)
    {
        if (Customer.StreamIdOf(id) is not { } streamId) return null;
        if (caller.Class != CallerClass.Internal && caller.CustomerId != id) return null;
        return await session.LoadAsync<Customer>(streamId, cancellation);
    }

    public static ProblemDetails CustomerNotFoundProblem(string id) => ApiProblems.Create(404, "not_found", $"Customer '{id}' was not found.");
}
