using RaffsSync.Domain;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>Endpoint results in the API's problem shape.</summary>
public static class ProblemResults
{
    public static IResult NotFound(string code, string message) => Results.Problem(ApiProblems.Create(404, code, message));

    public static IResult Validation(IReadOnlyList<FieldError> errors) =>
        Results.Problem(ApiProblems.Validation([.. errors.Select(e => new ProblemDetail(e.Field, e.Issue, e.Hint))]));

    public static IResult Conflict(Decision.Conflict conflict) =>
        Results.Problem(ApiProblems.Create(409, conflict.Code, conflict.Message));
}
