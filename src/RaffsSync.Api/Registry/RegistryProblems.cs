using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Registry;
using Wolverine.Marten;

namespace RaffsSync.Api.Registry;

/// <summary>The registry's problems, each written once, for <c>Validate</c> methods (ProblemDetails) and endpoints (IResult).</summary>
/// <remarks>
/// Endpoints load aggregates with <c>Required = false</c> so that their <c>Validate</c> answers a missing one in the API's
/// shape (<c>provider_not_found</c>, <c>route_not_found</c>); Wolverine's own 404 carries no code.
/// </remarks>
public static class RegistryProblems
{
    public static ProblemDetails ProviderNotFound(string provider) =>
        ApiProblems.Create(404, "provider_not_found", $"Provider '{provider}' was not found.");

    public static ProblemDetails RouteNotFound(string provider, string routeKey) =>
        ApiProblems.Create(404, "route_not_found", $"Provider '{provider}' has no route '{routeKey}'.");

    public static ProblemDetails VersionNotFound(string provider, string routeKey, int version) =>
        ApiProblems.Create(404, "not_found", $"Route '{provider}/{routeKey}' has no version {version}.");

    /// <summary>A route with <c>event</c> handles what the provider pushes; nothing dispatches or renders it.</summary>
    public static ProblemDetails RouteInboundOnly(string provider, string routeKey) =>
        ApiProblems.Create(422, "route_inbound_only",
            $"Route '{provider}/{routeKey}' handles events the provider pushes (it has an 'event'); it cannot be dispatched.");

    public static ProblemDetails Invalid(IEnumerable<FieldError> errors) =>
        ApiProblems.Validation([.. errors.Select(e => new ProblemDetail(e.Field, e.Issue, e.Hint))]);

    public static ProblemDetails Conflict(Decision.Conflict conflict) => ApiProblems.Create(409, conflict.Code, conflict.Message);

    public static FieldError BodyRequired(string what) => new("body", "required", what);

    /// <summary>
    /// A decision as an endpoint's answer plus the events Wolverine appends to the aggregate's stream:
    /// a conflict is 409 and appends nothing; otherwise <paramref name="answer"/> builds the response from the events.
    /// </summary>
    public static (Results<TAnswer, ProblemHttpResult>, Events) Respond<TAnswer>(this Decision decision, Func<IReadOnlyList<object>, TAnswer> answer)
        where TAnswer : IResult => decision switch
    {
        Decision.Append append => (answer(append.Events), new Events(append.Events)),
        Decision.Conflict conflict => (TypedResults.Problem(Conflict(conflict)), new Events()),
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "not a decision")
    };
}
