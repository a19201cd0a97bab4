using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Dispatches;

/// <summary>What one provider answer means for the dispatch, decided from the route alone.</summary>
public abstract record DispatchOutcome
{
    public sealed record Succeeded : DispatchOutcome;

    public sealed record Failed(FailureType Type, string Reason) : DispatchOutcome;

    public static DispatchOutcome FromStatusCode(RouteDefinition route, int statusCode)
    {
        if (route.IsSuccess(statusCode)) return new Succeeded();

        return statusCode switch
        {
            401 or 403 => new Failed(FailureType.Configuration,
                $"The provider refused the credentials (HTTP {statusCode})."),
            >= 400 and < 500 => new Failed(FailureType.Rejected,
                $"The provider rejected the request (HTTP {statusCode})."),
            >= 500 => new Failed(FailureType.Provider, $"The provider failed (HTTP {statusCode})."),
            _ => new Failed(FailureType.Provider, $"The provider answered with an unexpected status (HTTP {statusCode}).")
        };
    }

    public static DispatchOutcome Unreachable(string error) =>
        new Failed(FailureType.Provider, $"The provider could not be reached: {error}");
}
