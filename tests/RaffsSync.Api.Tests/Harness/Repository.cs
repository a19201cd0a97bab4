namespace RaffsSync.Api.Tests.Harness;

public static class Repository
{
    /// <summary>The checkout the tests were built from: the folder holding RaffsSync.sln.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RaffsSync.sln"))) return dir.FullName;
        throw new InvalidOperationException("RaffsSync.sln not found above the test output folder.");
    }
}
