using Wolverine;
using Wolverine.Runtime;
using Wolverine.Runtime.Agents;

namespace RaffsSync.Api.Infrastructure.Cluster;

/// <summary>
/// Keeps Marten's async shards (projections and subscriptions) off a node without the <c>projections</c> role,
/// using Wolverine's own capability-matched distribution: every node registers the event-subscription agent
/// family, so whichever node is elected leader can assign those agents, but a node without the role advertises
/// none of them as its capabilities, and the leader only places an agent on a node that advertises it.
/// </summary>
public static class ProjectionsRole
{
    public static void KeepProjectionAgentsOffThisNode(this IServiceCollection services)
    {
        // Call after IntegrateWithWolverine, which registers the family; any other family passes through unchanged.
        var registrations = services.Where(d => d.ServiceType == typeof(IAgentFamily)).ToList();
        foreach (var registration in registrations) services.Remove(registration);
        foreach (var registration in registrations)
        {
            services.Add(ServiceDescriptor.Singleton<IAgentFamily>(provider =>
            {
                var resolved = Resolve(registration, provider);
                return resolved is EventSubscriptionAgentFamily subscriptions ? new AssignsButDoesNotRun(subscriptions) : resolved;
            }));
        }
    }

    private static IAgentFamily Resolve(ServiceDescriptor registration, IServiceProvider provider) =>
        registration.ImplementationInstance as IAgentFamily
        ?? (IAgentFamily?)registration.ImplementationFactory?.Invoke(provider)
        ?? (IAgentFamily)ActivatorUtilities.CreateInstance(provider, registration.ImplementationType!);

    /// <summary>The family as the leader needs it (every agent known, assigned evenly), advertising nothing this node runs.</summary>
    private sealed class AssignsButDoesNotRun(EventSubscriptionAgentFamily inner) : IStaticAgentFamily
    {
        public string Scheme => inner.Scheme;
        public ValueTask<IReadOnlyList<Uri>> AllKnownAgentsAsync() => inner.AllKnownAgentsAsync();
        public ValueTask<IAgent> BuildAgentAsync(Uri uri, IWolverineRuntime runtime) =>
            throw new InvalidAgentException($"This node's roles leave out projections; {uri} runs elsewhere.");
        public ValueTask<IReadOnlyList<Uri>> SupportedAgentsAsync() => ValueTask.FromResult<IReadOnlyList<Uri>>([]);
        public ValueTask EvaluateAssignmentsAsync(AssignmentGrid assignments) => inner.EvaluateAssignmentsAsync(assignments);
    }
}
