using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Diagnostics;
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
        headers.CacheControl = "no-store";

        var open = rest.StartsWithSegments("/sign-in") || rest.StartsWithSegments("/assets");
        if (open || context.User.Identity?.IsAuthenticated == true) return next(context);
        var back = context.Request.Path + context.Request.QueryString;
        context.Response.Redirect($"{ConsoleSessions.BasePath}/sign-in?return_url={Uri.EscapeDataString(back)}");
        return Task.CompletedTask;
    });

    public static void MapRaffsSyncConsole(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().DisableRateLimiting();
    }
}
