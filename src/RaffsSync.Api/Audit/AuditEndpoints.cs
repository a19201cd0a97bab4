using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Audit;

/// <summary>One entry of the audit log: an event of any stream, who caused it, and its link in the hash chain.</summary>
/// <param name="Sequence">The event's global sequence number: increasing, the log's order.</param>
/// <param name="OccurredAt">When the event was recorded.</param>
/// <param name="Scope">Whose entry it is: <c>location</c>, <c>customer</c>, <c>registry</c> (readable by everyone) or <c>internal</c>.</param>
/// <param name="TenantId">The location the entry belongs to, if any.</param>
/// <param name="CustomerId">The customer the entry belongs to, if any.</param>
/// <param name="StreamId">The stream the event belongs to (a dispatch's id, for one).</param>
/// <param name="EventType">The event type, such as <c>route_revised</c> or <c>dispatch_succeeded</c>.</param>
/// <param name="Actor">The API key id or OAuth client id that caused it; the executor's events carry the actor of the request they follow.</param>
/// <param name="CallerClass">The actor's class: <c>customer</c>, <c>internal</c> or <c>partner</c>; <c>system</c> for RaffsSync's own actions.</param>
/// <param name="RequestId">The <c>X-Request-Id</c> of the request that caused it.</param>
/// <param name="CausationId">What caused the event, when it follows another.</param>
/// <param name="Summary">A one-line description.</param>
/// <param name="Data">The event's fields, with values under secret-looking names replaced by <c>[redacted]</c>.</param>
/// <param name="Channel"><c>console</c> when a person started the work in the console (a replay, and each step it caused); null for the API and RaffsSync's own work.</param>
/// <param name="PreviousHash">The previous entry's <c>hash</c>.</param>
/// <param name="Hash">SHA-256 (hex) over <c>previous_hash</c> and this entry's canonical form: changing any entry breaks the chain.</param>
public sealed record AuditEntryView(
    long Sequence,
    DateTimeOffset OccurredAt,
    string Scope,
    string? TenantId,
    string? CustomerId,
    string StreamId,
    string EventType,
    string? Actor,
    string? CallerClass,
    string? RequestId,
    string? CausationId,
    string Summary,
    JsonElement Data,
    string? Channel,
    string PreviousHash,
    string Hash)
{
    public static AuditEntryView From(StoredAuditEntry stored)
    {
        var e = stored.Entry;
        using var data = JsonDocument.Parse(e.Data);
        return new(e.Sequence, e.OccurredAt, e.Scope, e.TenantId, e.CustomerId, e.StreamId, e.EventType, e.Actor, e.CallerClass,
            e.RequestId, e.CausationId, e.Summary, data.RootElement.Clone(), e.Channel, stored.PreviousHash, stored.Hash);
    }
}

/// <summary>The result of recomputing the audit log's hash chain over a range.</summary>
/// <param name="Verified">Whether every entry in the range matches its hash and links to the one before.</param>
/// <param name="Checked">Entries checked: all of the range, or up to and including the first bad one.</param>
/// <param name="FirstBadSequence">The first entry that does not match, if any.</param>
/// <param name="From">The range's first sequence, as asked.</param>
/// <param name="To">The range's last sequence, as asked.</param>
public sealed record AuditVerification(bool Verified, long Checked, long? FirstBadSequence, long? From, long? To);

/// <summary>
/// One row of the CSV export, after a header row naming these columns in this order. An empty field is an absent value;
/// fields are quoted as RFC 4180 says, and one starting with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c> gets a leading <c>'</c>.
/// </summary>
/// <param name="Sequence">The entry's global sequence number.</param>
/// <param name="OccurredAt">RFC 3339 UTC with microseconds, such as <c>2026-11-22T10:04:11.520000Z</c>.</param>
/// <param name="Scope">Who may read the entry.</param>
/// <param name="TenantId">The location the entry belongs to, if any.</param>
/// <param name="CustomerId">The customer the entry belongs to, if any.</param>
/// <param name="StreamId">The stream the event belongs to.</param>
/// <param name="EventType">The event type.</param>
/// <param name="Actor">The API key id or OAuth client id that caused it.</param>
/// <param name="CallerClass">The actor's class.</param>
/// <param name="RequestId">The <c>X-Request-Id</c> of the request that caused it.</param>
/// <param name="CausationId">What caused the event, when it follows another.</param>
/// <param name="Summary">A one-line description.</param>
/// <param name="Data">The event's fields as JSON, redacted.</param>
/// <param name="PreviousHash">The previous entry's hash.</param>
/// <param name="Hash">This entry's hash.</param>
/// <param name="Channel"><c>console</c> when a person started the work in the console (a replay, and each step it caused); empty otherwise.</param>
public sealed record AuditCsvRow(
    string Sequence,
    string OccurredAt,
    string Scope,
    string? TenantId,
    string? CustomerId,
    string StreamId,
    string EventType,
    string? Actor,
    string? CallerClass,
    string? RequestId,
    string? CausationId,
    string Summary,
    string Data,
    string PreviousHash,
    string Hash,
    string? Channel);

public static class AuditEndpoints
{
    /// <summary>List audit entries</summary>
    /// <remarks>
    /// The audit log entries the caller may read (its locations', its customer's and the registry's), oldest first unless
    /// <c>sort</c> says otherwise. Two paging styles: page style (<c>page</c>, <c>per_page</c>; the default) answers the page
    /// envelope with <c>total</c>, up to 10,000 entries deep; cursor style (<c>limit</c>, then <c>cursor</c> set to the
    /// previous page's <c>next_cursor</c>) answers <c>data</c>, <c>next_cursor</c> and <c>has_more</c>, costs the same at any
    /// depth and returns every entry exactly once even while entries are appended. The last cursor page still has a
    /// <c>next_cursor</c>: follow it later to read what was appended since. Filters combine with AND; the values of one filter with OR.
    /// </remarks>
    [Authorize(Policy = Scopes.AuditRead)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [QueryString<AuditListQuery>]
    [WolverineGet("/api/v1/audit", OperationId = "listAudit")]
    [ProblemResponses(404)]
    [AlsoProduces<CursorPage<AuditEntryView>>(StatusCodes.Status200OK, "application/json")]
    public static async Task<Results<Ok<PageEnvelope<AuditEntryView>>, Ok<CursorPage<AuditEntryView>>, ProblemHttpResult>> List(
        AuditLogReader audit, Caller caller, HttpContext context, CancellationToken cancellation)
    {
        var (filter, errors) = AuditFilter.Parse(context.Request.Query, AuditListQuery.Parameters);
        var (paging, pagingErrors) = AuditPaging.Parse(context.Request);
        errors.AddRange(pagingErrors);
        if (errors.Count > 0) return TypedResults.Problem(ApiProblems.Validation([.. errors]));

        var visibility = AuditVisibility.For(caller);
        if (Hidden(filter, visibility) is { } notFound) return notFound;

        // Cursor pages walk the global sequence (the primary key), so they stay exact while entries are appended.
        if (!paging.IsCursor)
        {
            var (entries, total) = await audit.PageAsync(filter, visibility, paging, cancellation);
            return TypedResults.Ok(paging.Page!.Envelope(entries.Select(AuditEntryView.From).ToList(), total, context.Request));
        }

        var page = await audit.AfterAsync(filter, visibility, paging, paging.Limit + 1, cancellation);
        var data = page.Take(paging.Limit).Select(AuditEntryView.From).ToList();
        var hasMore = page.Count > paging.Limit;
        // The cursor is always given back, even at the end: follow it later to read what was appended since.
        var last = data.Count > 0 ? data[^1].Sequence : paging.After;
        return TypedResults.Ok(new CursorPage<AuditEntryView>(data, last is { } sequence ? Cursor.Encode(sequence, paging.Descending) : null, hasMore));
    }

    /// <summary>Export audit entries</summary>
    /// <remarks>
    /// Every entry the filters select among those the caller may read, in sequence order, streamed as it is read:
    /// NDJSON (the default; one entry per line, in the list's shape) or CSV (<c>format=csv</c> or <c>Accept: text/csv</c>;
    /// a header row, then one entry per row). Sent as a download (<c>audit.ndjson</c>, <c>audit.csv</c>).
    /// </remarks>
    [Authorize(Policy = Scopes.AuditRead)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [QueryString<AuditExportQuery>]
    [WolverineGet("/api/v1/audit/export", OperationId = "exportAudit")]
    [ProblemResponses(404)]
    // A streamed body carries no response metadata of its own: each format's line or row is declared here.
    [ProducesResponseType<AuditEntryView>(StatusCodes.Status200OK, "application/x-ndjson")]
    [AlsoProduces<AuditCsvRow>(StatusCodes.Status200OK, "text/csv")]
    public static Results<PushStreamHttpResult, ProblemHttpResult> Export(AuditLogReader audit, IOptions<HttpJsonOptions> json, Caller caller,
        HttpContext context)
    {
        var (filter, errors) = AuditFilter.Parse(context.Request.Query, AuditExportQuery.Parameters);
        var format = context.Request.Query["format"].ToString() is { Length: > 0 } f ? f
            : context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "ndjson";
        if (!AuditExportQuery.Formats.Contains(format)) errors.Add(new ProblemDetail("format", "invalid", string.Join(" or ", AuditExportQuery.Formats)));
        if (errors.Count > 0) return TypedResults.Problem(ApiProblems.Validation([.. errors]));

        var visibility = AuditVisibility.For(caller);
        if (Hidden(filter, visibility) is { } notFound) return notFound;

        var entries = audit.StreamAsync(filter, visibility, context.RequestAborted);
        return format == "csv"
            ? TypedResults.Stream(body => AuditExport.CsvAsync(entries, body, context.RequestAborted), "text/csv; charset=utf-8", "audit.csv")
            : TypedResults.Stream(body => AuditExport.NdjsonAsync(entries, body, json.Value.SerializerOptions, context.RequestAborted),
                "application/x-ndjson", "audit.ndjson");
    }

    /// <summary>Verify the audit log</summary>
    /// <remarks>
    /// Recomputes the hash chain over the entries with sequence from <c>from</c> to <c>to</c> (both optional, inclusive) and
    /// names the first entry that does not match: editing any entry, even with its hash recomputed, breaks the next link.
    /// Internal callers only, since the answer covers every location's entries.
    /// </remarks>
    [Authorize(Policy = Scopes.AuditRead)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [QueryString<AuditVerifyQuery>]
    [WolverineGet("/api/v1/audit/verify", OperationId = "verifyAudit")]
    public static async Task<Results<Ok<AuditVerification>, ProblemHttpResult>> Verify(AuditLogReader audit, HttpContext context,
        CancellationToken cancellation)
    {
        var errors = new List<ProblemDetail>();
        long? Bound(string name)
        {
            var text = context.Request.Query[name].ToString();
            if (text.Length == 0) return null;
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
            errors.Add(new ProblemDetail(name, "invalid", "a global sequence number, as in the entries' 'sequence'"));
            return null;
        }

        var (from, to) = (Bound("from"), Bound("to"));
        foreach (var key in AuditVerifyQuery.Parameters.UnknownIn(context.Request.Query))
            errors.Add(new ProblemDetail(key, "unknown_parameter", string.Join(", ", AuditVerifyQuery.Parameters.Select(p => p.Name))));
        if (from > to) errors.Add(new ProblemDetail("to", "invalid", "not before 'from'"));
        if (errors.Count > 0) return TypedResults.Problem(ApiProblems.Validation([.. errors]));

        var verifier = await audit.VerifyAsync(from, to, cancellation);
        return TypedResults.Ok(new AuditVerification(verifier.FirstBadSequence is null, verifier.Checked, verifier.FirstBadSequence, from, to));
    }

    /// <summary>Another customer's location is not found, the same as one that does not exist.</summary>
    private static ProblemHttpResult? Hidden(AuditFilter filter, AuditVisibility visibility) =>
        filter.Tenants.FirstOrDefault(t => !visibility.CanSeeLocation(t)) is { } hidden
            ? TypedResults.Problem(ApiProblems.Create(404, "not_found", $"Location '{hidden}' was not found."))
            : null;
}

public static class AuditExport
{
    private static readonly string[] CsvColumns =
        ["sequence", "occurred_at", "scope", "tenant_id", "customer_id", "stream_id", "event_type", "actor", "caller_class",
         "request_id", "causation_id", "summary", "data", "previous_hash", "hash", "channel"];

    public static async Task NdjsonAsync(IAsyncEnumerable<StoredAuditEntry> entries, Stream body, JsonSerializerOptions json,
        CancellationToken cancellation)
    {
        var newline = "\n"u8.ToArray();
        await foreach (var entry in entries.WithCancellation(cancellation))
        {
            await JsonSerializer.SerializeAsync(body, AuditEntryView.From(entry), json, cancellation);
            await body.WriteAsync(newline, cancellation);
        }
    }

    public static async Task CsvAsync(IAsyncEnumerable<StoredAuditEntry> entries, Stream body, CancellationToken cancellation)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(string.Join(',', CsvColumns) + "\r\n");
        await foreach (var (e, previousHash, hash) in entries.WithCancellation(cancellation))
        {
            string?[] fields = [e.Sequence.ToString(CultureInfo.InvariantCulture),
                e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                e.Scope, e.TenantId, e.CustomerId, e.StreamId, e.EventType, e.Actor, e.CallerClass, e.RequestId, e.CausationId,
                e.Summary, e.Data, previousHash, hash, e.Channel];
            await writer.WriteAsync(string.Join(',', fields.Select(Csv)) + "\r\n");
        }
    }

    /// <summary>RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula.</summary>
    public static string Csv(string? value)
    {
        if (value is null) return "";
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
