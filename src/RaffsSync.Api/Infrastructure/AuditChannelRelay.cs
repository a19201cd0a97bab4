using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Marten;
using RaffsSync.Api.Access;
using RaffsSync.Projections.Audit;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.Runtime.Handlers;

namespace RaffsSync.Api.Infrastructure;

/// <summary>
/// The channel a person acted through (the console) follows the work it started: a console request's messages carry it,
/// the messages those handlers send carry it on, and every handler marks its events with it. So a bulk replay started in
/// the console records each dispatch's replay as the console's, like a single replay from the page.
/// </summary>
public static class AuditChannelRelay
{
    public const string EnvelopeHeader = "raffssync-channel";

    public static void RelayAuditChannel(this WolverineOptions options)
    {
        options.MetadataRules.Add(new CarryChannel());
        options.Policies.Add<MarkHandlerEvents>();
    }

    /// <summary>Handler middleware: the message's channel goes on the events the handler appends.</summary>
    public static void ApplyToSession(Envelope envelope, IDocumentSession session)
    {
        if (envelope.Headers.TryGetValue(EnvelopeHeader, out var channel) && !string.IsNullOrEmpty(channel))
            session.SetHeader(AuditChannel.Header, channel);
    }

    private sealed class CarryChannel : IEnvelopeRule
    {
        // Read where the message is sent from: a handler's incoming message, or else the HTTP request being served.
        private static readonly HttpContextAccessor Request = new();

        public void Modify(Envelope envelope) { }

        public void ApplyCorrelation(IMessageContext originator, Envelope outgoing)
        {
            var channel = originator.Envelope?.Headers.GetValueOrDefault(EnvelopeHeader)
                ?? Request.HttpContext?.User.FindFirst(CallerClaims.Channel)?.Value;
            if (!string.IsNullOrEmpty(channel)) outgoing.Headers[EnvelopeHeader] = channel;
        }
    }

    private sealed class MarkHandlerEvents : IHandlerPolicy
    {
        public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules rules, IServiceContainer container)
        {
            foreach (var chain in chains.Where(c => c.ServiceDependencies(container, Type.EmptyTypes).Contains(typeof(IDocumentSession))))
                chain.Middleware.Insert(0, new MethodCall(typeof(AuditChannelRelay), nameof(ApplyToSession)));
        }
    }
}
