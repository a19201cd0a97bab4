using System.Diagnostics;

namespace RaffsSync.Api.Infrastructure.Postgres;

/// <summary>Finds the locally installed PostgreSQL server programs (initdb, pg_ctl).</summary>
public static class PostgresBinaries
{
    public const string OverrideVariable = "RAFFSSYNC_PG_BIN";

    public static string FindDirectory()
    {
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable(OverrideVariable),
            PgConfigBinDir()
        };
        candidates.AddRange(DebianStyleDirectories());
        candidates.AddRange(["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin", "/usr/bin"]);
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator));

        return candidates.FirstOrDefault(HasServerPrograms)
            ?? throw new InvalidOperationException(
                "No PostgreSQL server programs (initdb, pg_ctl) were found, and no connection string is configured. " +
                "Either install PostgreSQL 15 or newer (Debian/Ubuntu: 'apt-get install postgresql'; macOS: " +
                "'brew install postgresql@16'), point RAFFSSYNC_PG_BIN at the folder holding initdb and pg_ctl, " +
                "or set ConnectionStrings__Postgres to an existing server.");
    }

    private static bool HasServerPrograms(string? directory) =>
        !string.IsNullOrWhiteSpace(directory)
        && File.Exists(Path.Combine(directory, "initdb"))
        && File.Exists(Path.Combine(directory, "pg_ctl"));

    private static IEnumerable<string> DebianStyleDirectories()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return [];
        return Directory.GetDirectories(root)
            .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : 0))
            .OrderByDescending(x => x.version)
            .Select(x => Path.Combine(x.dir, "bin"));
    }

    private static string? PgConfigBinDir()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // pg_config is not installed
        }
    }
}
