using System.Text.Json;
using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.Options;

namespace RaffsSync.Api.Registry;

public class RoutesInput : NetCoreInput
{
    [Description("What to do; only 'import' for now")]
    public string Action { get; set; } = "import";

    [Description("Route pack files, e.g. routes/takeapp.json")]
    public string[] Files { get; set; } = [];
}

/// <summary><c>dotnet run --project src/RaffsSync.Api -- routes import routes/takeapp.json</c></summary>
[Description("Imports route packs (routes/*.json) into the registry")]
public class RoutesCommand : JasperFxAsyncCommand<RoutesInput>
{
    public override async Task<bool> Execute(RoutesInput input)
    {
        if (input.Action != "import" || input.Files.Length == 0)
        {
            Console.Error.WriteLine("Usage: routes import <pack.json> [<pack.json> ...]");
            return false;
        }

        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var egress = host.Services.GetRequiredService<ProviderEgress>().Rules;
        var json = host.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        foreach (var file in input.Files.Select(Locate))
        {
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"{file}: no such file");
                return false;
            }

            await using var session = store.LightweightSession();
            session.LastModifiedBy = "raffssync:cli";
            var pack = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement;
            var (result, errors) = await RoutePackImporter.ImportAsync(session, pack, json, DateTimeOffset.UtcNow, CancellationToken.None, egress);
            if (result is null)
            {
                Console.Error.WriteLine($"{file}: not imported");
                foreach (var error in errors) Console.Error.WriteLine($"  {error.Field}: {error.Issue} {error.Hint}");
                return false;
            }

            await session.SaveChangesAsync();
            Console.WriteLine($"{file}: provider {result.Provider} {result.ProviderResult}; " +
                string.Join(", ", result.Routes.Select(r => $"{r.RouteKey} {r.Result} (v{r.Version})")));
        }
        return true;
    }

    // 'dotnet run --project' starts in the project folder; accept paths relative to the repository too.
    private static string Locate(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path)) return Path.GetFullPath(path);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (File.Exists(candidate)) return candidate;
        }
        return Path.GetFullPath(path);
    }
}
