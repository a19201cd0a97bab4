namespace RaffsSync.Domain.Connections;

public static class ConnectionDecisions
{
    public static IReadOnlyList<FieldError> ValidateNew(string? provider, string? environment,
        IReadOnlyDictionary<string, string>? credentials)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(provider)) errors.Add(new("provider", "required"));
        if (!Enum.TryParse<ProviderEnvironment>(environment, ignoreCase: true, out _))
            errors.Add(new("environment", string.IsNullOrWhiteSpace(environment) ? "required" : "invalid", "'sandbox' or 'production'"));
        errors.AddRange(ValidateCredentials(credentials));
        return errors;
    }

    public static IEnumerable<FieldError> ValidateCredentials(IReadOnlyDictionary<string, string>? credentials) =>
        (credentials ?? new Dictionary<string, string>())
            .Where(c => string.IsNullOrEmpty(c.Value))
            .Select(c => new FieldError($"credentials.{c.Key}", "required", "a non-empty string"));

    /// <summary>
    /// A change to settings and/or credentials: omitted parts stay as they are; sending the same
    /// credentials again (same fingerprints) is not a rotation.
    /// </summary>
    public static IReadOnlyList<object> Change(Connection current, IReadOnlyDictionary<string, string>? settings,
        IReadOnlyList<CredentialFingerprint>? credentials, DateTimeOffset now)
    {
        var events = new List<object>();
        if (settings is not null && !SameEntries(settings, current.Settings))
            events.Add(new ConnectionSettingsChanged(current.Id, settings, now));
        if (credentials is not null && !credentials.OrderBy(c => c.Name).SequenceEqual(current.Credentials.OrderBy(c => c.Name)))
            events.Add(new ConnectionCredentialsRotated(current.Id, credentials, now));
        return events;
    }

    private static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(x => b.TryGetValue(x.Key, out var v) && v == x.Value);
}
