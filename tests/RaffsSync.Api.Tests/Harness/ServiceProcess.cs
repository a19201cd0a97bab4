using System.Collections.Concurrent;
using System.Diagnostics;
using RaffsSync.Api.Infrastructure.Postgres;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>
/// The built service as a process of its own (<c>dotnet RaffsSync.Api.dll</c>, the build the tests were compiled
/// against), so a test can kill it the hard way: SIGKILL, no shutdown hooks, no hand-over.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public IReadOnlyList<string> Output => [.. _output];

    public static async Task<ServiceProcess> StartAsync(OwnDatabase database, IReadOnlyDictionary<string, string> settings)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var assembly = Path.Combine(Repository.Root, "src", "RaffsSync.Api", "bin", configuration, "net10.0", "RaffsSync.Api.dll");
        if (!File.Exists(assembly)) throw new FileNotFoundException("Build the API first (dotnet build RaffsSync.sln).", assembly);

        var baseUrl = $"http://127.0.0.1:{LocalPostgresCluster.FreePort()}";
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = baseUrl;
        start.Environment["ConnectionStrings__Postgres"] = database.ConnectionString;
        start.Environment["RaffsSync__Secrets__Key"] = database.SecretsKey;
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (name, value) in settings) start.Environment[name.Replace(":", "__")] = value;

        var process = Process.Start(start)!;
        var service = new ServiceProcess(process, baseUrl);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"The service exited: {string.Join("\n", service.Output.TakeLast(30))}");
            try { return (await http.GetAsync("/health/live")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, "the service process to answer /health/live", TimeSpan.FromSeconds(90));
        return service;
    }

    /// <summary>SIGKILL: the process stops between two instructions, whatever it was doing.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
