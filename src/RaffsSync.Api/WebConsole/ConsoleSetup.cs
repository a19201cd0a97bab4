using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Diagnostics;
using RaffsSync.Api.Access;
using RaffsSync.Api.WebConsole.Components;

namespace RaffsSync.Api.WebConsole;

/// <summary>The console at <c>/console</c>: server-rendered Razor components, signed in with an API key.</summary>
public static class ConsoleSetup
{
    /// <summary>Scripts, styles and images from this app only; no inline script or style, no framing, forms post here only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

    public static IServiceCollection AddRaffsSyncConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleSettings>().BindConfiguration("RaffsSync:Console");
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsoleFormClaims>();
        services.AddHttpContextAccessor();
        services.AddHttpClient<ConsoleApi>();
        services.AddRazorComponents();
        services.AddDataProtection().SetApplicationName("RaffsSync");
        services.AddOptions<KeyManagementOptions>().Configure<IDocumentStore>((options, store) => options.XmlRepository = new ConsoleKeyRing(store));
        return services;
    }

    /// <summary>Headers on every console answer, and the way to sign-in for anyone not signed in.</summary>
    public static IApplicationBuilder UseConsoleGate(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments(ConsoleSessions.BasePath, out var rest)) return next(context);

        // Console pages answer their own errors as pages; the API's problem+json body would replace them.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages) statusCodePages.Enabled = false;

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        var asset = rest.StartsWithSegments("/assets");
        // Pages show a customer's data: never cached. Assets carry their own (fingerprinted, long-lived) caching.
        if (!asset) headers.CacheControl = "no-store";

        var open = asset || rest.StartsWithSegments("/sign-in");
        // Only a console session opens the console: an API key sent as a header does not.
        if (open || context.User.HasClaim(CallerClaims.Channel, CallerClaims.ConsoleChannel)) return next(context);
        var back = context.Request.Path + context.Request.QueryString;
        context.Response.Redirect($"{ConsoleSessions.BasePath}/sign-in?return_url={Uri.EscapeDataString(back)}");
        return Task.CompletedTask;
    });

    private const string ExpiredFormPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Form expired · RaffsSync console</title>
        <link rel="stylesheet" href="/console/assets/console.css"></head>
        <body><main id="main"><h1>This form has expired</h1>
        <div class="trouble" role="alert"><p>It was not sent from a console page you have open now (it is older than your
        sign-in, or came from elsewhere), so nothing was done. Go back, reload the page and send it again.</p>
        <p><a href="/console/dispatches">Go to the dispatches</a></p></div></main></body></html>
        """;

    /// <summary>
    /// A console form whose antiforgery token is missing or not this user's is refused with a page saying what to do;
    /// the framework would otherwise throw when the page reads the form (a 500).
    /// </summary>
    public static IApplicationBuilder UseConsoleFormCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(ConsoleSessions.BasePath) && context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(ExpiredFormPage);
            return;
        }
        await next(context);
    });

    public static void MapRaffsSyncConsole(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().DisableRateLimiting();
        app.MapGet(ConsoleSessions.BasePath + "/audit/export", ExportAuditAsync).DisableRateLimiting().ExcludeFromDescription();
    }

    // A download cannot go through a page: the file streams from the API's export, with the signed-in user's filters and rights.
    private static async Task ExportAuditAsync(HttpContext context, ConsoleApi api)
    {
        var refused = await api.RelayAsync("/api/v1/audit/export" + context.Request.QueryString, context.Response, context.RequestAborted);
        if (refused.Succeeded) return;
        context.Response.StatusCode = refused.Status;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(RefusedExportPage.Replace("{message}", System.Net.WebUtility.HtmlEncode(refused.Message ?? "")));
    }

    private const string RefusedExportPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Export refused · RaffsSync console</title>
        <link rel="stylesheet" href="/console/assets/console.css"></head>
        <body><main id="main"><h1>The export was refused</h1>
        <div class="trouble" role="alert"><p>{message}</p>
        <p><a href="/console/audit">Back to the audit log</a> to change the filters.</p></div></main></body></html>
        """;
}
