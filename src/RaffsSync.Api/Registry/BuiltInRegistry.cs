using System.Text.Json;
using Marten;
using Marten.Schema;
using Microsoft.Extensions.Options;

namespace RaffsSync.Api.Registry;

/// <summary>
/// Imports the built-in <c>sandbox</c> route pack (routes/sandbox.json, embedded in this assembly)
/// at start, so a newcomer can dispatch something real right away. Its provider is served by this
/// service under <c>/sandbox</c>. Importing an unchanged pack appends nothing.
/// </summary>
public sealed class BuiltInRegistry(TimeProvider clock, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IInitialData
{
    public const string SandboxPack = "routes/sandbox.json";

    public async Task Populate(IDocumentStore store, CancellationToken cancellation)
    {
        await using var stream = typeof(BuiltInRegistry).Assembly.GetManifestResourceStream(SandboxPack)
            ?? throw new InvalidOperationException($"{SandboxPack} is not embedded in the API assembly.");
        var pack = (await JsonDocument.ParseAsync(stream, cancellationToken: cancellation)).RootElement;

        await using var session = store.LightweightSession();
        session.LastModifiedBy = "raffssync:built-in";
        var (result, errors) = await RoutePackImporter.ImportAsync(session, pack, json.Value.SerializerOptions, clock.GetUtcNow(), cancellation);
        if (result is null)
            throw new InvalidOperationException($"{SandboxPack} is invalid: {string.Join("; ", errors.Select(e => $"{e.Field} {e.Issue}"))}");
        await session.SaveChangesAsync(cancellation);
    }
}
