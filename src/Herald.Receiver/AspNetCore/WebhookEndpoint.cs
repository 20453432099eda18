using System.Buffers;
using System.Text.Unicode;
using Herald.Contracts.Signing;
using Herald.Receiver.Events;
using Herald.Receiver.Inbox;
using Herald.Receiver.Logging;
using Herald.Receiver.Processing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Receiver.AspNetCore;

/// <summary>
/// The webhook endpoint: source check, raw body, verification, then one durable inbox write; 200 only after it
/// committed. Bad input gets 4xx with a short text that reveals nothing about the secret; a failed inbox write gets
/// 503 so the sender retries. No business logic runs here.
/// </summary>
internal sealed class WebhookEndpoint
{
    private readonly WebhookVerifier _verifier;
    private readonly SourceAddressFilter _sourceFilter;
    private readonly SqlInboxStore _store;
    private readonly HeraldReceiverOptions _options;
    private readonly ILogger<WebhookEndpoint> _logger;

    public WebhookEndpoint(SqlInboxStore store, IOptions<HeraldReceiverOptions> options, ILogger<WebhookEndpoint> logger)
    {
        _options = options.Value;
        _verifier = new WebhookVerifier(_options.Secrets, _options.Tolerance, store.TimeProvider);
        if (!SourceAddressFilter.TryCreate(_options.AllowedSourceNetworks, out _sourceFilter, out var badEntry))
        {
            throw new OptionsValidationException(nameof(HeraldReceiverOptions), typeof(HeraldReceiverOptions), [$"Invalid AllowedSourceNetworks entry '{badEntry}'."]);
        }

        _store = store;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress;
        if (!_sourceFilter.IsAllowed(remote))
        {
            Log.SourceNotAllowed(_logger, remote?.ToString());
            await WriteAsync(context, StatusCodes.Status403Forbidden, "source address not allowed").ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "body too large").ConfigureAwait(false);
            return;
        }

        if (!_options.AllowUnsignedRequests || _verifier.SecretCount > 0)
        {
            var result = _verifier.Verify(
                request.Headers[WebhookSignature.TimestampHeader].ToString(),
                request.Headers[WebhookSignature.SignatureHeader].ToString(),
                body);
            if (!result.IsValid)
            {
                Log.Rejected(_logger, remote?.ToString(), result.Status);
                await WriteAsync(context, StatusCodes.Status400BadRequest, result.PublicMessage).ConfigureAwait(false);
                return;
            }
        }

        // JSON is UTF-8: a body that is not (in any member, data included) is refused now rather than parked later.
        if (!Utf8.IsValid(body))
        {
            Log.NotAnEnvelope(_logger, remote?.ToString());
            await WriteAsync(context, StatusCodes.Status400BadRequest, "body is not a webhook event: not valid UTF-8").ConfigureAwait(false);
            return;
        }

        // The envelope is read exactly as the processor will read it, so nothing acknowledged is unreadable later.
        if (!WebhookEventParser.TryReadInboxKeys(body, out var eventId, out var name, out var problem))
        {
            Log.NotAnEnvelope(_logger, remote?.ToString());
            await WriteAsync(context, StatusCodes.Status400BadRequest, "body is not a webhook event: " + problem).ConfigureAwait(false);
            return;
        }

        bool inserted;
        try
        {
            inserted = await _store.InsertAsync(eventId, name, body, context.RequestAborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any failure to commit is the inbox's, never the sender's: 503 so it retries.
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Log.InboxWriteFailed(_logger, exception, eventId);
            context.Response.Headers.RetryAfter = "30";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "inbox unavailable, retry later").ConfigureAwait(false);
            return;
        }

        if (inserted)
        {
            Log.Accepted(_logger, eventId, name);
            _store.NewEvents.Notify();
        }
        else
        {
            Log.Duplicate(_logger, eventId, name);
        }

        await WriteAsync(context, StatusCodes.Status200OK, "ok").ConfigureAwait(false);
    }

    /// <summary>Reads the exact body bytes; <see langword="null"/> when over the limit. Works after other middleware buffered it.</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        var limit = _options.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature
            && (sizeFeature.MaxRequestBodySize is null || sizeFeature.MaxRequestBodySize < limit + 1))
        {
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        var stream = request.Body;
        if (stream.CanSeek)
        {
            stream.Position = 0;
        }

        if (request.ContentLength is { } length)
        {
            var exact = new byte[length];
            try
            {
                await stream.ReadExactlyAsync(exact, context.RequestAborted).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                return [];
            }

            return exact;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await stream.ReadAsync(memory, context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }

    private static Task WriteAsync(HttpContext context, int statusCode, string text)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
