using System.Diagnostics;
using System.Text.Json.Nodes;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Contract;

/// <summary>
/// v1 is frozen: the served document is the checked-in <c>openapi/v1.json</c>, and it breaks no earlier
/// frozen version of that file in the repository's history. Adding is done by updating the file in the
/// same commit (<c>dotnet run --project src/RaffsSync.Api -- openapi &gt; openapi/v1.json</c>).
/// </summary>
[Collection(HttpContractCollection.Name)]
public sealed class ContractSnapshotTests(AppFixture fixture) : ApiTest(fixture)
{
    private const string DocumentPath = "openapi/v1.json";

    /// <summary>Versions of the file from before v1 was frozen lack this member of <c>info</c>.</summary>
    private const string FrozenMarker = "x-frozen";

    private async Task<JsonNode> ServedAsync()
    {
        var result = await Host.Scenario(s => { s.Get.Url("/openapi/v1.json"); s.StatusCodeShouldBeOk(); });
        return JsonNode.Parse(await result.ReadAsTextAsync())!;
    }

    [Fact]
    public async Task the_served_document_is_the_checked_in_one()
    {
        var served = await ServedAsync();
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, DocumentPath)))!;
        if (JsonNode.DeepEquals(served, checkedIn)) return;

        var written = Path.Combine(Path.GetTempPath(), $"raffssync-served-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(written, served.ToJsonString(new() { WriteIndented = true }));
        Assert.Fail($"The served document differs from {DocumentPath} at {FirstDifference(checkedIn, served, "$")}. " +
                    $"The served one is in {written}. If the change is deliberate and compatible, update the file in the same commit: " +
                    $"dotnet run --project src/RaffsSync.Api -- openapi > {DocumentPath}");
    }

    [Fact]
    public async Task the_checked_in_document_says_v1_is_frozen()
    {
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, DocumentPath)))!;
        Assert.NotNull(checkedIn["info"]?[FrozenMarker]);
    }

    [Fact]
    public async Task the_served_document_breaks_no_earlier_frozen_version()
    {
        var served = await ServedAsync();
        var versions = CommittedVersions().Where(v => v.Document["info"]?[FrozenMarker] is not null).ToList();
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, DocumentPath)))!;
        versions.Add(("working tree", checkedIn));

        var breaks = versions.SelectMany(v => OpenApiCompatibility.BreakingChanges(v.Document, served).Select(b => $"{v.Commit}: {b}")).ToList();
        Assert.True(breaks.Count == 0, "Breaking changes to v1 (move them to a new version instead):\n" + string.Join("\n", breaks.Take(50)));
    }

    /// <summary>Every committed version of the document reachable from HEAD (none outside a git checkout).</summary>
    private static List<(string Commit, JsonNode Document)> CommittedVersions()
    {
        var commits = Git("log", "--format=%h", "--", DocumentPath);
        if (commits is null) return [];
        return commits.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(commit => (commit, Text: Git("show", $"{commit}:{DocumentPath}")))
            .Where(v => v.Text is { Length: > 0 })
            .Select(v => (v.commit, JsonNode.Parse(v.Text!)!))
            .ToList();
    }

    private static string? Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }

    private static string FirstDifference(JsonNode? expected, JsonNode? actual, string path)
    {
        if (expected is JsonObject e && actual is JsonObject a)
        {
            foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                if (!JsonNode.DeepEquals(e[key], a[key])) return FirstDifference(e[key], a[key], $"{path}.{key}");
        }
        else if (expected is JsonArray ea && actual is JsonArray aa && ea.Count == aa.Count)
        {
            for (var i = 0; i < ea.Count; i++)
                if (!JsonNode.DeepEquals(ea[i], aa[i])) return FirstDifference(ea[i], aa[i], $"{path}[{i}]");
        }
        return $"{path} (checked in: {Short(expected)}, served: {Short(actual)})";
    }

    private static string Short(JsonNode? node) => node?.ToJsonString() is { } text ? text.Length > 120 ? text[..120] + "..." : text : "absent";
}
