using Marten;
using JasperFx;

namespace RaffsSync.Api.WebConsole;

/// <summary>A console form that did its work: its key, from the page that rendered it.</summary>
public sealed record ConsoleFormClaim(Guid Id, DateTimeOffset ClaimedAt);

/// <summary>
/// One rendered form, one action: a form sent twice (a double click, a resend after a slow answer) acts once. For the actions
/// the API cannot make idempotent itself, such as rotating a secret, whose answer must never be stored.
/// </summary>
public sealed class ConsoleFormClaims(IDocumentStore store, TimeProvider clock)
{
    public const string AlreadySent = "This form was already sent, so nothing was done again. Reload the page to see where things stand.";

    /// <summary>Claims the form's key, across nodes; false when it was claimed before, or the form carries none.</summary>
    public async Task<bool> TryClaimAsync(string? formKey, CancellationToken cancellation = default)
    {
        if (!Guid.TryParse(formKey, out var id)) return false;
        await using var session = store.LightweightSession();
        session.Insert(new ConsoleFormClaim(id, clock.GetUtcNow()));
        // Claims older than any page still open are of no use again.
        session.DeleteWhere<ConsoleFormClaim>(c => c.ClaimedAt < clock.GetUtcNow().AddDays(-1));
        try
        {
            await session.SaveChangesAsync(cancellation);
            return true;
        }
        catch (DocumentAlreadyExistsException) { return false; }
    }
}
