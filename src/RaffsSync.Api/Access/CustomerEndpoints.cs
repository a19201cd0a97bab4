using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Mvc;
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

/// <summary>
/// Customers and the locations (tenants) they own. Only internal callers create customers
/// (<see cref="CreateCustomerEndpoint"/>); <see cref="AddLocationEndpoint"/> adds locations.
/// </summary>
public static class CustomerEndpoints
{
    /// <summary>A customer and its locations.</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineGet("/api/v1/customers/{id}")]
    public static async Task<IResult> Get(string id, IQuerySession session, Caller caller, CancellationToken cancellation) =>
        await FindAsync(session, id, caller, cancellation) is { } customer
            ? Results.Ok(CustomerView.From(customer))
            : CustomerNotFound(id);

    /// <summary>A location and the customer that owns it.</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineGet("/api/v1/locations/{tenantId}")]
    public static async Task<IResult> GetLocation(string tenantId, IQuerySession session, Caller caller, CancellationToken cancellation)
    {
        var location = await session.LoadAsync<Location>(tenantId, cancellation);
        // A credential that names its locations sees only those, even among its customer's.
        return location is not null && (caller.Class == CallerClass.Internal || (caller.CustomerId == location.CustomerId && caller.CanAccess(tenantId)))
            ? Results.Ok(LocationView.From(location))
            : ProblemResults.NotFound("not_found", $"Location '{tenantId}' was not found.");
    }

    /// <summary>Internal callers see every customer; a customer's own keys see only it.</summary>
    public static async Task<Customer?> FindAsync(IQuerySession session, string id, Caller caller, CancellationToken cancellation)
    {
        if (Customer.StreamIdOf(id) is not { } streamId) return null;
        if (caller.Class != CallerClass.Internal && caller.CustomerId != id) return null;
        return await session.LoadAsync<Customer>(streamId, cancellation);
    }

    private static IResult CustomerNotFound(string id) => Results.Problem(CustomerNotFoundProblem(id));

    public static ProblemDetails CustomerNotFoundProblem(string id) => ApiProblems.Create(404, "not_found", $"Customer '{id}' was not found.");
}
