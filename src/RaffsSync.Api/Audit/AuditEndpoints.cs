using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Audit;

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
    string PreviousHash,
    string Hash)
{
    public static AuditEntryView From(StoredAuditEntry stored)
    {
        var e = stored.Entry;
        using var data = JsonDocument.Parse(e.Data);
        return new(e.Sequence, e.OccurredAt, e.Scope, e.TenantId, e.CustomerId, e.StreamId, e.EventType, e.Actor, e.CallerClass,
            e.RequestId, e.CausationId, e.Summary, data.RootElement.Clone(), stored.PreviousHash, stored.Hash);
    }
}

public sealed record AuditVerification(bool Verified, long Checked, long? FirstBadSequence, long? From, long? To);

public static class AuditEndpoints
{
    private static readonly IReadOnlyList<string> ExportParameters = ["format"];
    private static readonly IReadOnlyList<string> VerifyParameters = ["from", "to"];

    /// <summary>
    /// The audit log, oldest first (<c>sort=-occurred_at</c> for newest first). Page style by default;
    /// <c>?limit=</c> or <c>?cursor=</c> switches to cursor pages on the global sequence, which stay
    /// exact while entries are appended and cost the same at any depth.
    /// </summary>
    [Authorize(Policy = Scopes.AuditRead)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [WolverineGet("/api/v1/audit")]
    public static async Task<IResult> List(AuditLogReader audit, Caller caller, HttpContext context, CancellationToken cancellation)
    {
        var (filter, errors) = AuditFilter.Parse(context.Request.Query, AuditPaging.Parameters);
        var (paging, pagingErrors) = AuditPaging.Parse(context.Request);
        errors.AddRange(pagingErrors);
        if (errors.Count > 0) return Results.Problem(ApiProblems.Validation([.. errors]));

        var visibility = AuditVisibility.For(caller);
        if (Hidden(filter, visibility) is { } notFound) return notFound;

        if (!paging.IsCursor)
        {
            var (entries, total) = await audit.PageAsync(filter, visibility, paging, cancellation);
            return Results.Ok(paging.Page!.Envelope(entries.Select(AuditEntryView.From).ToList(), total, context.Request));
        }

        var page = await audit.AfterAsync(filter, visibility, paging, paging.Limit + 1, cancellation);
        var data = page.Take(paging.Limit).Select(AuditEntryView.From).ToList();
        var hasMore = page.Count > paging.Limit;
        // The cursor is always given back, even at the end: follow it later to read what was appended since.
        var last = data.Count > 0 ? data[^1].Sequence : paging.After;
        return Results.Ok(new CursorPage<AuditEntryView>(data, last is { } sequence ? Cursor.Encode(sequence, paging.Descending) : null, hasMore));
    }

    /// <summary>
    /// Every matching entry, streamed as it is read: NDJSON (one entry per line, the list's shape) or
    /// CSV (<c>?format=csv</c> or <c>Accept: text/csv</c>).
    /// </summary>
    [Authorize(Policy = Scopes.AuditRead)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [WolverineGet("/api/v1/audit/export")]
    public static IResult Export(AuditLogReader audit, IOptions<JsonOptions> json, Caller caller, HttpContext context)
    {
        var (filter, errors) = AuditFilter.Parse(context.Request.Query, ExportParameters);
        var format = context.Request.Query["format"].ToString() is { Length: > 0 } f ? f
            : context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "ndjson";
        if (format is not ("ndjson" or "csv")) errors.Add(new ProblemDetail("format", "invalid", "ndjson or csv"));
        if (errors.Count > 0) return Results.Problem(ApiProblems.Validation([.. errors]));

        var visibility = AuditVisibility.For(caller);
        if (Hidden(filter, visibility) is { } notFound) return notFound;

        var entries = audit.StreamAsync(filter, visibility, context.RequestAborted);
        return format == "csv"
            ? Results.Stream(body => AuditExport.CsvAsync(entries, body, context.RequestAborted), "text/csv; charset=utf-8", "audit.csv")
            : Results.Stream(body => AuditExport.NdjsonAsync(entries, body, json.Value.SerializerOptions, context.RequestAborted),
                "application/x-ndjson", "audit.ndjson");
    }

    /// <summary>
    /// Recomputes the hash chain over the entries with sequence in [from, to] (both optional). Internal
    /// callers only: the answer covers every location's entries.
    /// </summary>
    [Authorize(Policy = Scopes.AuditRead)]
    [Authorize(Policy = CallerPolicies.Internal)]
    [WolverineGet("/api/v1/audit/verify")]
    public static async Task<IResult> Verify(AuditLogReader audit, HttpContext context, CancellationToken cancellation)
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
        foreach (var key in context.Request.Query.Keys.Where(k => !VerifyParameters.Contains(k)))
            errors.Add(new ProblemDetail(key, "unknown_parameter", "from, to"));
        if (from > to) errors.Add(new ProblemDetail("to", "invalid", "not before 'from'"));
        if (errors.Count > 0) return Results.Problem(ApiProblems.Validation([.. errors]));

        var verifier = await audit.VerifyAsync(from, to, cancellation);
        return Results.Ok(new AuditVerification(verifier.FirstBadSequence is null, verifier.Checked, verifier.FirstBadSequence, from, to));
    }

    /// <summary>Another customer's location is not found, the same as one that does not exist.</summary>
    private static IResult? Hidden(AuditFilter filter, AuditVisibility visibility) =>
        filter.Tenants.FirstOrDefault(t => !visibility.CanSeeLocation(t)) is { } hidden
            ? ProblemResults.NotFound("not_found", $"Location '{hidden}' was not found.")
            : null;
}

public static class AuditExport
{
    private static readonly string[] CsvColumns =
        ["sequence", "occurred_at", "scope", "tenant_id", "customer_id", "stream_id", "event_type", "actor", "caller_class",
         "request_id", "causation_id", "summary", "data", "previous_hash", "hash"];

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
                e.Summary, e.Data, previousHash, hash];
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
