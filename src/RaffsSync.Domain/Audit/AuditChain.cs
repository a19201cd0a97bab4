using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RaffsSync.Domain.Audit;

/// <summary>
/// The tamper-evidence chain: each entry's hash is SHA-256 over the previous entry's hash and the
/// entry's canonical form, in global sequence order. Editing, removing or reordering any entry
/// changes every hash after it.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the very first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Link(string previousHash, AuditEntry entry)
    {
        var bytes = Encoding.UTF8.GetBytes(previousHash + "\n" + Canonical(entry));
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>
    /// A JSON array of every field in a fixed order; times in UTC with microseconds (PostgreSQL's precision). The channel
    /// comes last and only when there is one, so entries written before channels existed keep their hashes.
    /// </summary>
    public static string Canonical(AuditEntry entry)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            json.WriteNumberValue(entry.Sequence);
            json.WriteStringValue(entry.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            foreach (var text in new[] { entry.Scope, entry.TenantId, entry.CustomerId, entry.StreamId, entry.EventType,
                         entry.Actor, entry.CallerClass, entry.RequestId, entry.CausationId, entry.Summary })
            {
                if (text is null) json.WriteNullValue();
                else json.WriteStringValue(text);
            }
            json.WriteStringValue(entry.Data);
            if (entry.Channel is not null) json.WriteStringValue(entry.Channel);
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>
/// Walks stored entries in sequence order and reports the first one whose stored links do not
/// match a recomputation. Start it with the stored hash of the entry just before the range.
/// </summary>
public sealed class AuditChainVerifier(string anchorHash)
{
    private string _expectedPrevious = anchorHash;

    public long Checked { get; private set; }
    public long? FirstBadSequence { get; private set; }

    /// <returns>false once a bad entry has been found: there is no point reading further.</returns>
    public bool Check(AuditEntry entry, string storedPreviousHash, string storedHash)
    {
        if (FirstBadSequence is not null) return false;
        Checked++;
        var recomputed = AuditChain.Link(_expectedPrevious, entry);
        if (storedPreviousHash != _expectedPrevious || storedHash != recomputed)
        {
            FirstBadSequence = entry.Sequence;
            return false;
        }
        _expectedPrevious = recomputed;
        return true;
    }
}
