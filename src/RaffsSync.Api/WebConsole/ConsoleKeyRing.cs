using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace RaffsSync.Api.WebConsole;

/// <summary>One ASP.NET Core data protection key (it signs the console's antiforgery tokens).</summary>
public sealed class DataProtectionKey
{
    public string Id { get; set; } = "";
    public string Xml { get; set; } = "";
}

/// <summary>
/// The data protection key ring in PostgreSQL, so every node accepts the antiforgery tokens any node issued and a
/// restart does not refuse the forms open in browsers. The keys sign antiforgery tokens only: the console's session
/// is a random token looked up by its hash, not a protected cookie.
/// </summary>
public sealed class ConsoleKeyRing(IDocumentStore store) : IXmlRepository
{
    // Data protection reads and writes its key ring synchronously, and rarely (at start, then once a day at most),
    // so blocking on Marten's asynchronous calls here costs nothing that matters.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var session = store.QuerySession();
        var keys = session.Query<DataProtectionKey>().ToListAsync().GetAwaiter().GetResult();
        return keys.Select(k => XElement.Parse(k.Xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var session = store.LightweightSession();
        session.Store(new DataProtectionKey { Id = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        session.SaveChangesAsync().GetAwaiter().GetResult();
    }
}
