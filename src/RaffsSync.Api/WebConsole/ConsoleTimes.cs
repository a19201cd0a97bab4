using System.Globalization;

namespace RaffsSync.Api.WebConsole;

public static class ConsoleTimes
{
    /// <summary>A <c>datetime-local</c> form value, read as UTC, in the API's RFC 3339 form; null when empty or not a time.</summary>
    public static string? TryParseUtc(string? formValue) =>
        DateTime.TryParse(formValue, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : null;
}
