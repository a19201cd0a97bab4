namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// A resource's path under <c>/api/v1/</c> with every segment percent-encoded: identifiers may hold
/// any Unicode, and a raw non-ASCII <c>Location</c> header throws after the change has been committed.
/// </summary>
public static class ResourcePath
{
    public static string Of(params object[] segments) =>
        "/api/v1/" + string.Join('/', segments.Select(s => Uri.EscapeDataString(Convert.ToString(s, System.Globalization.CultureInfo.InvariantCulture) ?? "")));
}
