using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Hosting;

/// <summary>
/// The service as a user starts it: <c>dotnet run --project src/RaffsSync.Api</c> (launch profile
/// included, already built), on a database of the test's own so no local cluster is started.
/// </summary>
public sealed class DotnetRunTests
{
    [Fact]
    public async Task dotnet_run_listens_where_ASPNETCORE_URLS_says_and_prints_no_command_discovery_banner()
    {
        var database = await OwnDatabase.CreateAsync();
        var port = LocalPostgresCluster.FreePort();
        using var run = DotnetRun.Start([], database, ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"));
        using var http = new HttpClient();

        await Eventually.UntilAsync(async () =>
        {
            if (run.Process.HasExited) throw new InvalidOperationException($"The service stopped: {run.Output}");
            try { return (await http.GetAsync($"http://127.0.0.1:{port}/health/live")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, $"the service to answer on port {port}", TimeSpan.FromSeconds(120));

        Assert.Contains($"Now listening on: http://127.0.0.1:{port}", run.Output);
        Assert.DoesNotContain("for commands", run.Output);
    }

    [Fact]
    public async Task the_openapi_command_writes_only_the_document_to_stdout()
    {
        var database = await OwnDatabase.CreateAsync();
        using var run = DotnetRun.Start(["-v", "q", "--", "openapi"], database);

        var exited = await run.Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(180)).Token)
            .ContinueWith(t => t.IsCompletedSuccessfully);
        Assert.True(exited, $"openapi did not finish: {run.Output}");
        Assert.Equal(0, run.Process.ExitCode);

        using var document = JsonDocument.Parse(run.StandardOutput);
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
    }

    private sealed class DotnetRun : IDisposable
    {
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _all = new();

        private DotnetRun(Process process) => Process = process;

        public Process Process { get; }

        public string StandardOutput { get { lock (_all) return _stdout.ToString(); } }

        public string Output { get { lock (_all) return _all.ToString(); } }

        public static DotnetRun Start(string[] arguments, OwnDatabase database, params (string Name, string Value)[] environment)
        {
            // The test binaries sit in bin/<Configuration>/<tfm>/ of the test project; run the API built the same way.
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = output.Parent!.Name;
            var solution = new DirectoryInfo(Repository.Root);

            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = solution.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true
            };
            foreach (var argument in new[] { "run", "--project", "src/RaffsSync.Api", "--no-build", "-c", configuration }.Concat(arguments))
                start.ArgumentList.Add(argument);
            start.Environment.Remove("ASPNETCORE_URLS");
            start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
            start.Environment["ConnectionStrings__Postgres"] = database.ConnectionString;
            start.Environment["RaffsSync__Secrets__Key"] = database.SecretsKey;
            foreach (var (name, value) in environment) start.Environment[name] = value;

            var run = new DotnetRun(Process.Start(start)!);
            run.Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (run._all) { run._stdout.AppendLine(e.Data); run._all.AppendLine(e.Data); } };
            run.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (run._all) run._all.AppendLine(e.Data); };
            run.Process.BeginOutputReadLine();
            run.Process.BeginErrorReadLine();
            return run;
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
            Process.Dispose();
        }
    }
}
