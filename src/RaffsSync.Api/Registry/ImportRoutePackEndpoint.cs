using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Registry;

public static class ImportRoutePackEndpoint
{
    /// <remarks>Not [WriteAggregate]: a pack spans many streams; <see cref="RoutePackImporter"/> fetches each for writing.</remarks>
    /// <summary>Imports a route pack (the contents of a <c>routes/*.json</c> file); importing it again appends nothing.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverinePost("/api/v1/route-packs")]
    public static async Task<IResult> Post(JsonElement pack, IDocumentSession session, HttpContext context, ProviderEgress egress,
        TimeProvider clock, CancellationToken cancellation)
    {
        var (result, errors) = await RoutePackImporter.ImportAsync(session, pack, context.Options(), clock.GetUtcNow(), cancellation,
            egress.Rules);
        return result is null ? ProblemResults.Validation(errors) : Results.Ok(result);
    }
}
