namespace RaffsSync.Domain;

/// <summary>One problem with one field of an input, named by its JSON path (<c>request.method</c>, <c>error_rules[0].action</c>).</summary>
public sealed record FieldError(string Field, string Issue, string? Hint = null);
