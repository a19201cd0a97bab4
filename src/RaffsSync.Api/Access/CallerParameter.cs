using System.Reflection;
using JasperFx;
using JasperFx.CodeGeneration.Frames;
using JasperFx.CodeGeneration.Model;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace RaffsSync.Api.Access;

/// <summary>
/// Lets an endpoint take the authenticated <see cref="Caller"/> as a parameter: Wolverine builds it once
/// per request from the principal, so endpoint methods need no <c>HttpContext</c> and can be unit-tested
/// with a caller of the test's choosing.
/// </summary>
public sealed class CallerParameter : IParameterStrategy
{
    public bool TryMatch(HttpChain chain, IServiceContainer container, ParameterInfo parameter, out Variable? variable)
    {
        variable = null;
        if (parameter.ParameterType != typeof(Caller)) return false;

        var existing = chain.Middleware.OfType<MethodCall>().FirstOrDefault(c => c.ReturnType == typeof(Caller));
        if (existing is null)
        {
            existing = new MethodCall(typeof(Caller), nameof(Caller.From));
            chain.Middleware.Add(existing);
        }
        variable = existing.ReturnVariable;
        return true;
    }
}
