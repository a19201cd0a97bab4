using System.Text.RegularExpressions;

namespace RaffsSync.Domain.Inbound;

/// <summary>A provider's event type, as pushes carry it and inbound routes name it (<c>order.created</c>, <c>ORDER_PAID</c>).</summary>
public static partial class InboundEventTypes
{
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$";
    public const string Hint = "letters, digits, '.', '_', ':', '/' and '-', at most 200 characters";

    [GeneratedRegex(Pattern)]
    private static partial Regex Valid();

    public static bool IsValid(string? eventType) => eventType is not null && Valid().IsMatch(eventType);
}
