using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain;

/// <summary>The documented maximum lengths of identifiers, names and reasons that callers send.</summary>
public static class IdentifierLimits
{
    public const int Id = 64, Name = 200, Reason = 1000;

    /// <summary>What is wrong with a caller's identifier or label (too long, or holding control characters such as NUL), or null.</summary>
    public static FieldError? Check(string field, string? value, int maxLength)
    {
        if (value is null) return null;
        if (value.Length > maxLength) return new FieldError(field, "too_long", $"at most {maxLength} characters");
        if (value.Any(char.IsControl)) return new FieldError(field, "control_characters", "no control characters (NUL, line breaks, tabs)");
        return null;
    }
}
