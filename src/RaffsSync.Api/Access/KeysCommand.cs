using JasperFx.CommandLine;
using Marten;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

public class KeysInput : NetCoreInput
{
    [Description("What to do; only 'create' for now")]
    public string Action { get; set; } = "create";

    [Description("An internal key (workers, operators): every scope, every location")]
    public bool InternalFlag { get; set; }

    [Description("A production key (rsk_live_); the default is a sandbox key (rsk_test_)")]
    public bool LiveFlag { get; set; }

    [Description("Comma-separated scopes; internal keys default to all of them")]
    public string ScopesFlag { get; set; } = "";

    [Description("Comma-separated locations (tenant ids) a customer key may act for")]
    public string LocationsFlag { get; set; } = "";

    [Description("The customer that owns the key")]
    public string CustomerFlag { get; set; } = "";

    [Description("A label for the key")]
    public string NameFlag { get; set; } = "";
}

/// <summary>
/// <c>dotnet run --project src/RaffsSync.Api -- keys create --internal</c>: the bootstrap path
/// for the first key. Prints the secret once; only its hash is stored.
/// </summary>
[Description("Creates an API key and prints its secret once")]
public class KeysCommand : JasperFxAsyncCommand<KeysInput>
{
    public override async Task<bool> Execute(KeysInput input)
    {
        if (input.Action != "create")
        {
            Console.Error.WriteLine($"Unknown action '{input.Action}'. Usage: keys create [--internal] [--live] [--scopes a,b] [--locations 29,30] [--customer cus_1] [--name label]");
            return false;
        }

        if (!input.InternalFlag && string.IsNullOrWhiteSpace(input.CustomerFlag))
        {
            Console.Error.WriteLine("A customer key belongs to one customer: pass --customer cus_..., or --internal.");
            return false;
        }

        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        var scopes = Split(input.ScopesFlag);
        var request = new ApiKeyRequest(
            string.IsNullOrWhiteSpace(input.NameFlag) ? (input.InternalFlag ? "internal" : "customer") : input.NameFlag,
            input.LiveFlag ? ProviderEnvironment.Production : ProviderEnvironment.Sandbox,
            input.InternalFlag ? CallerClass.Internal : CallerClass.Customer,
            scopes.Count > 0 ? scopes : input.InternalFlag ? Scopes.All : [Scopes.DispatchesWrite, Scopes.DispatchesRead],
            string.IsNullOrWhiteSpace(input.CustomerFlag) ? null : input.CustomerFlag,
            Split(input.LocationsFlag));

        var secret = await ApiKeyStore.CreateAsync(store, request, TimeProvider.System);
        Console.WriteLine(secret);
        return true;
    }

    private static IReadOnlyList<string> Split(string csv) =>
        csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
