using System.Text.RegularExpressions;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Marten;
using Wolverine;
using Wolverine.Http;
using Wolverine.Persistence.EventSourcing;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// <c>X-Request-Id</c>: echoed when the caller sends a valid one, generated otherwise, and kept as
/// <see cref="HttpContext.TraceIdentifier"/> so problem bodies, logs and events all carry it.
/// </summary>
public static partial class RequestId
{
    public const string Header = "X-Request-Id";

    public const string Pattern = "^[A-Za-z0-9._:-]{1,200}$";

    [GeneratedRegex(Pattern)]
    private static partial Regex Valid();

    public static IApplicationBuilder UseRequestId(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var sent = context.Request.Headers[Header].ToString();
        var id = Valid().IsMatch(sent) ? sent : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        // Set as the response starts: the exception handler clears headers set earlier.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[Header] = id;
            return Task.CompletedTask;
        });
        return next(context);
    });

    /// <summary>Wolverine middleware: the request id becomes the correlation id of every event and message.</summary>
    public static void Apply(HttpContext httpContext, IMessageContext messaging) =>
        messaging.CorrelationId = httpContext.TraceIdentifier;

    /// <summary>
    /// Wolverine opens the Marten session before endpoint middleware runs, so it gets the id directly too. The console's
    /// requests also mark their events with the channel, which the audit log records.
    /// </summary>
    public static void ApplyToSession(HttpContext httpContext, IDocumentSession session)
    {
        session.CorrelationId = httpContext.TraceIdentifier;
        if (httpContext.User.FindFirst(RaffsSync.Api.Access.CallerClaims.Channel)?.Value is { } channel)
            session.SetHeader(RaffsSync.Projections.Audit.AuditChannel.Header, channel);
    }
}

internal sealed class RequestIdCorrelationPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains)
        {
            chain.Middleware.Insert(0, new MethodCall(typeof(RequestId), nameof(RequestId.Apply)));
            // [WriteAggregate] endpoints get their session from Wolverine, not as a parameter.
            if (chain.Method.Method.GetParameters().Any(p => p.IsDefined(typeof(WriteModelAttribute), inherit: true))
                || chain.ServiceDependencies(container, Type.EmptyTypes).Contains(typeof(IDocumentSession)))
                chain.Middleware.Insert(1, new MethodCall(typeof(RequestId), nameof(RequestId.ApplyToSession)));
        }
    }
}
