namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>
/// Refusals an endpoint decides itself (409 conflicts, 422 unprocessable requests). The refusals
/// every endpoint of a kind can give (401/403/429 for authenticated ones, 400/413/415 for bodies,
/// 404 for paths with identifiers, 503) are added by <see cref="OperationContract"/> from the endpoint's shape.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProblemResponsesAttribute(params int[] statuses) : Attribute
{
    public IReadOnlyList<int> Statuses { get; } = statuses;
}
