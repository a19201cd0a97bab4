using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Access;

/// <summary>Adds a location (tenant id) to a customer; a tenant id has one owner.</summary>
/// <remarks>
/// Not <c>[WriteAggregate]</c>: the route names the customer id (<c>cus_...</c>), from which the stream id is derived,
/// and a caller who may not see the customer must get the same 404 as for one that does not exist, so the customer is
/// loaded here and the event appended with <see cref="MartenOps.Append(Guid, object[])"/>.
/// </remarks>
public static class AddLocationEndpoint
{
    public static Task<Customer?> LoadAsync(string id, IQuerySession session, Caller caller, CancellationToken cancellation) =>
        CustomerEndpoints.FindAsync(session, id, caller, cancellation);

    public static async Task<ProblemDetails> ValidateAsync(string id, Customer? customer, AddLocation input, IQuerySession session,
        CancellationToken cancellation)
    {
        if (customer is null) return CustomerEndpoints.CustomerNotFoundProblem(id);
        var errors = new List<FieldError>();
        if (IdentifierLimits.Check("tenant_id", input.TenantId, IdentifierLimits.Id) is { } badTenant) errors.Add(badTenant);
        else if (!RouteValidation.IsValidKey(input.TenantId)) errors.Add(new("tenant_id", input.TenantId is null ? "required" : "invalid"));
        if (string.IsNullOrWhiteSpace(input.Name)) errors.Add(new("name", "required"));
        else if (IdentifierLimits.Check("name", input.Name, IdentifierLimits.Name) is { } badName) errors.Add(badName);
        if (errors.Count > 0) return ApiProblems.Validation([.. errors.Select(e => new ProblemDetail(e.Field, e.Issue, e.Hint))]);

        if (await session.LoadAsync<Location>(input.TenantId!, cancellation) is not null)
            return ApiProblems.Create(409, "conflict", $"Location '{input.TenantId}' already belongs to a customer.");
        return WolverineContinue.NoProblems;
    }

    /// <summary>Add a location to a customer</summary>
    /// <remarks>
    /// Adds a location (a tenant id) to the customer and answers 201 with it; `Location` is where it is read. A tenant id
    /// belongs to one customer: one that is already taken, by this customer or another, is 409 `conflict`. Internal callers
    /// add locations to any customer, a customer's credentials only to their own; any other customer is 404 `not_found`.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [ProblemResponses(409)]
    [WolverinePost("/api/v1/customers/{id}/locations", OperationId = "addLocation")]
    public static (Created<LocationView>, IEnumerable<IMartenOp>) AddLocation(string id, AddLocation input, Customer customer, TimeProvider clock)
    {
        var added = new LocationAdded(customer.CustomerId, input.TenantId!, input.Name!, clock.GetUtcNow());
        var location = new Location { Id = added.TenantId, CustomerId = added.CustomerId, Name = added.Name, AddedAt = added.AddedAt };
        // Inserted, not stored: a concurrent claim of the same tenant id fails on the key instead of overwriting.
        return (TypedResults.Created(ResourcePath.Of("locations", added.TenantId), LocationView.From(location)),
            [MartenOps.Append(customer.Id, added), MartenOps.Insert(location)]);
    }
}
