namespace RaffsSync.Domain;

/// <summary>Which of a provider's environments a call goes to; chosen by the caller's key (rsk_test_ / rsk_live_).</summary>
public enum ProviderEnvironment
{
    Sandbox,
    Production
}
