using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Access;

/// <summary>Creates a customer (internal callers only).</summary>
public static class CreateCustomerEndpoint
{
    public static ProblemDetails Validate(CreateCustomer input)
    {
        if (string.IsNullOrWhiteSpace(input.Name)) return ApiProblems.Validation(new ProblemDetail("name", "required"));
        if (IdentifierLimits.Check("name", input.Name, IdentifierLimits.Name) is { } badName)
            return ApiProblems.Validation(new ProblemDetail(badName.Field, badName.Issue, badName.Hint));
        return WolverineContinue.NoProblems;
    }

    /// <summary>Create a customer</summary>
    /// <remarks>
    /// Creates a customer with no locations yet and answers 201 with it; `Location` is where it is read. Its id
    /// (`cus_...`) is given here. Add its locations with `POST /api/v1/customers/{id}/locations`.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost("/api/v1/customers", OperationId = "createCustomer")]
    public static (Created<CustomerView>, IStartStream) Create(CreateCustomer input, TimeProvider clock)
    {
        var streamId = Guid.CreateVersion7();
        var created = new CustomerCreated(streamId, Customer.IdFor(streamId), input.Name!, clock.GetUtcNow());
        return (TypedResults.Created(ResourcePath.Of("customers", created.CustomerId), CustomerView.From(Customer.Create(created))),
            MartenOps.StartStream<Customer>(streamId, created));
    }
}
