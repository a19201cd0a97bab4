using JasperFx;
using JasperFx.CommandLine;
using Microsoft.Extensions.Logging.Console;

namespace RaffsSync.Api.Infrastructure.Hosting;

/// <summary>
/// Keeps the console readable: no "Searching '...' for commands" banner at every start, and for
/// commands other than <c>run</c> (<c>openapi</c>, <c>keys create</c>, ...) logs go to stderr, so
/// what the command writes to stdout can be piped or redirected as it is.
/// </summary>
public static class CommandLineOutput
{
    public static void KeepLogsOffStandardOutputForCommands(this WebApplicationBuilder builder, string[] args)
    {
        if (IsServerRun(args)) return;
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    public static Task<int> RunCommandsQuietly(this WebApplication app, string[] args)
    {
        // JasperFx prints the banner while its static "extensions applied" flag is unset; applying an
        // empty set of extensions sets it. Command discovery itself is unchanged.
        new CommandFactory().ApplyExtensions(new ServiceCollection());
        return app.RunJasperFxCommands(args);
    }

    /// <summary>JasperFx runs the server for no arguments, options only, or <c>run</c>.</summary>
    public static bool IsServerRun(string[] args) =>
        args.Length == 0 || args[0].StartsWith('-') || string.Equals(args[0], "run", StringComparison.OrdinalIgnoreCase);
}
