namespace RaffsSync.Domain.Access;

public static class Scopes
{
    public const string DispatchesWrite = "dispatches:write";
    public const string DispatchesRead = "dispatches:read";
    public const string RegistryRead = "registry:read";
    public const string RegistryWrite = "registry:write";
    public const string AuditRead = "audit:read";
    public const string ReportsRead = "reports:read";
    public const string WebhooksWrite = "webhooks:write";
    public const string AccessWrite = "access:write";

    public static readonly IReadOnlyList<string> All =
    [
        DispatchesWrite, DispatchesRead, RegistryRead, RegistryWrite,
        AuditRead, ReportsRead, WebhooksWrite, AccessWrite
    ];

    public static bool IsKnown(string scope) => All.Contains(scope);
}
