#!/usr/bin/env bash
# bench/results/latest.json (or the file named) as the Markdown table BENCHMARKS.md shows.
set -euo pipefail
jq -r '
  def pct: ((. * 10000 | round) / 100 | tostring) + "%";
  "Machine: \(.machine.cpu), \(.machine.cores) cores, \(.machine.memory_gb) GB; PostgreSQL \(.machine.postgres), .NET SDK \(.machine.dotnet); " +
  "commit \(.machine.commit), \(.machine.date), \(.machine.environment); run took \(.duration_s) s.\n",
  "| Figure | Value | Ratio to the ceiling |",
  "|---|---|---|",
  "| ceiling_tps (pgbench insert + commit, 32 clients) | \(.ceiling_tps) tps | 1 |",
  (.accept | to_entries[] |
    "| accept, \(.key) connections (ceiling \(.value.ceiling_tps) tps) | \(.value.rps) req/s, p50 \(.value.p50_ms) ms, p99 \(.value.p99_ms) ms, p99.9 \(.value.p999_ms) ms, \(.value.errors) errors | \(.value.ratio | pct) |"),
  "| end_to_end (\(.end_to_end.connections) connections, \(.end_to_end.load)) | \(.end_to_end.dps) dispatches/s, drain \(.end_to_end.drain_s) s, lost \(.end_to_end.lost), over policy \(.end_to_end.over_policy) | \(.end_to_end.ratio | pct) |",
  "| webhooks | \(.webhooks.dps) deliveries/s | \(.webhooks.ratio | pct) |",
  "| reads, one dispatch (\(.reads.events) events) | p50 \(.reads.dispatch_p50_ms) ms, p99 \(.reads.dispatch_p99_ms) ms | |",
  "| reads, filtered list page | p50 \(.reads.list_p50_ms) ms, p99 \(.reads.list_p99_ms) ms | |",
  "| reads, audit cursor page | p50 \(.reads.audit_cursor_p50_ms) ms, p99 \(.reads.audit_cursor_p99_ms) ms | |",
  "| audit_rebuild_eps | \(.audit_rebuild_eps) events/s | \(.audit_rebuild_ratio | pct) |",
  "| rss_mb (peak, accept and end to end) | \(.rss_mb) MB | |"
' "${1:-bench/results/latest.json}"
