using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RaffsSync.Api.Tests.Harness;

public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

public sealed record ProviderReply(int Status, string Body = "{}", IReadOnlyDictionary<string, string>? Headers = null,
    TimeSpan Delay = default);

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for a provider: it records every request and
/// answers with the replies a test queues (200 "{}" once the queue is empty).
/// </summary>
public sealed class LoopbackProvider : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<ProviderReply> _replies = new();
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();


    private int _inFlight;
    private int _maxInFlight;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Runs when a request has arrived, before it is answered: a test's seam into the middle of a caller's work.</summary>
    public Func<ReceivedRequest, Task>? BeforeAnswer { get; set; }

    /// <summary>The most requests this provider was serving at the same moment.</summary>
    public int MaxInFlight { get { lock (_replies) return _maxInFlight; } }

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public static async Task<LoopbackProvider> StartAsync()
    {
        var provider = new LoopbackProvider();
        (provider._app, provider.BaseUrl) = await LoopbackServer.StartAsync(app => app.Map("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var request = new ReceivedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body);
            provider._received.Enqueue(request);
            if (provider.BeforeAnswer is { } hook) await hook(request);

            var inFlight = Interlocked.Increment(ref provider._inFlight);
            lock (provider._replies) provider._maxInFlight = Math.Max(provider._maxInFlight, inFlight);
            try
            {
                await provider.AnswerAsync(context);
            }
            finally
            {
                Interlocked.Decrement(ref provider._inFlight);
            }
        }));
        return provider;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var reply = _replies.TryDequeue(out var queued) ? queued : new ProviderReply(200);
        if (reply.Delay > TimeSpan.Zero)
        {
            try { await Task.Delay(reply.Delay, context.RequestAborted); }
            catch (OperationCanceledException) { return; } // the caller went away
        }
        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(reply.Body);
    }

    public void Reply(int status, string body = "{}", IReadOnlyDictionary<string, string>? headers = null) =>
        _replies.Enqueue(new ProviderReply(status, body, headers));

    /// <summary>Answers only after <paramref name="delay"/>: a provider that hangs.</summary>
    public void ReplyAfter(TimeSpan delay, int status) => _replies.Enqueue(new ProviderReply(status, Delay: delay));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
