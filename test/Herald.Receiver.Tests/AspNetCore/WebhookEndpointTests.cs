using System.Net;
using System.Text;
using Herald.Receiver.Events;
using Herald.Receiver.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Receiver.Tests.AspNetCore;

public sealed class WebhookEndpointTests
{
    private static Action<HeraldReceiverBuilder> Recording => builder => builder.AddHandler<WebhookEvent, RecordingHandler<WebhookEvent>>();

    private static Action<IServiceCollection> With(Recorder recorder) => services => services.AddSingleton(recorder);

    [Fact]
    public async Task A_signed_event_is_acknowledged_with_200_before_its_handler_finishes()
    {
        var recorder = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase(), handlers: Recording, services: With(recorder));
        var id = Support.Events.NewId();

        using var response = await app.PostSignedAsync(Support.Events.Envelope("payment_intent.succeeded", id));
        await recorder.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(InboxEntryState.Pending, (await app.Inbox.FindAsync(id))!.State);
        recorder.Gate.SetResult();
        await app.WaitForStateAsync(id, InboxEntryState.Processed);
        Assert.Equal(1, recorder.Calls(id));
        Assert.IsType<PaymentIntentSucceeded>(recorder.Seen.Single().Event);
    }

    [Fact]
    public async Task The_same_event_delivered_three_times_concurrently_runs_the_handler_once()
    {
        var recorder = new Recorder();
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase(), handlers: Recording, services: With(recorder));
        var id = Support.Events.NewId();
        var body = Support.Events.Envelope("refund.succeeded", id);

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.PostSignedAsync(body)));
        await app.WaitForStateAsync(id, InboxEntryState.Processed);
        using var late = await app.PostSignedAsync(body);

        // The late copy was a duplicate: the row stayed processed after one try, so nothing can claim it again.
        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        var entry = await app.Inbox.FindAsync(id);
        Assert.Equal((InboxEntryState.Processed, 1), (entry!.State, entry.Attempts));
        Assert.Equal(1, recorder.Calls(id));
        Assert.Equal(new InboxCounts(0, 1, 0), await app.Inbox.GetCountsAsync());
    }

    [Theory]
    [InlineData("wrong-secret", "x-signature does not match")]
    [InlineData("tampered-body", "x-signature does not match")]
    [InlineData("missing-timestamp", "missing x-timestamp header")]
    [InlineData("missing-signature", "missing x-signature header")]
    [InlineData("stale", "x-timestamp outside the tolerance window")]
    [InlineData("malformed-signature", "malformed x-signature header")]
    public async Task Requests_that_fail_verification_get_400_with_a_short_message_and_are_not_stored(string problem, string expectedMessage)
    {
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase());
        var id = Support.Events.NewId();
        var body = Support.Events.Envelope("customer.created", id);

        using var response = problem switch
        {
            "wrong-secret" => await app.PostSignedAsync(body, secret: "whsec_wrong"),
            "tampered-body" => await app.PostSignedAsync(body, tweak: r => r.Content = new ByteArrayContent([.. body, (byte)' '])),
            "missing-timestamp" => await app.PostSignedAsync(body, tweak: r => r.Headers.Remove("x-timestamp")),
            "missing-signature" => await app.PostSignedAsync(body, tweak: r => r.Headers.Remove("x-signature")),
            "stale" => await app.PostSignedAsync(body, signedAt: DateTimeOffset.UtcNow.AddMinutes(-6)),
            "malformed-signature" => await app.PostSignedAsync(body, tweak: r =>
            {
                r.Headers.Remove("x-signature");
                r.Headers.Add("x-signature", "not-a-signature");
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(expectedMessage, text);
        Assert.DoesNotContain("whsec", text);
        Assert.Null(await app.Inbox.FindAsync(id));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"name\":\"customer.created\"}")]
    [InlineData("")]
    public async Task A_signed_body_that_is_not_an_event_gets_400(string body)
    {
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase());

        using var response = await app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(new InboxCounts(0, 0, 0), await app.Inbox.GetCountsAsync());
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413()
    {
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase(), options => options.MaxBodyBytes = 1024);
        var body = Support.Events.Envelope("customer.created", data: $"{{\"object\":{{\"id\":\"cus_1\",\"note\":\"{new string('x', 2000)}\"}}}}");

        using var response = await app.PostSignedAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_source_outside_the_allow_list_gets_403()
    {
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase(), options => options.AllowedSourceNetworks.Add("10.0.0.0/8"));
        var id = Support.Events.NewId();

        using var response = await app.PostSignedAsync(Support.Events.Envelope("customer.created", id));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("source address not allowed", await response.Content.ReadAsStringAsync());
        Assert.Null(await app.Inbox.FindAsync(id));
    }

    [Fact]
    public async Task A_source_inside_the_allow_list_is_accepted_including_single_addresses_and_ipv6_ranges()
    {
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase(), options =>
        {
            options.AllowedSourceNetworks.Add("2001:db8::/32");
            options.AllowedSourceNetworks.Add("127.0.0.1");
        });

        using var response = await app.PostSignedAsync(Support.Events.Envelope("customer.created"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("10.1.2.3", HttpStatusCode.OK)]
    [InlineData("192.0.2.7", HttpStatusCode.Forbidden)]
    public async Task Behind_a_trusted_proxy_the_forwarded_client_address_is_checked(string forwardedFor, HttpStatusCode expected)
    {
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            options => options.AllowedSourceNetworks.Add("10.0.0.0/8"),
            beforeMap: web => web.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor }));

        using var response = await app.PostSignedAsync(Support.Events.Envelope("customer.created"), tweak: r => r.Headers.Add("X-Forwarded-For", forwardedFor));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task When_the_inbox_cannot_be_written_the_answer_is_503_so_the_sender_retries()
    {
        // A PostgreSQL inbox on a port where nothing listens: the write fails like a database outage.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var app = await ReceiverApp.StartAsync(
            $"Host=127.0.0.1;Port={port};Username=nobody;Database=none;Timeout=2",
            options => options.ProcessInBackground = false,
            inbox: TestInbox.Postgres);

        using var response = await app.PostSignedAsync(Support.Events.Envelope("customer.created"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task A_body_already_buffered_by_other_middleware_still_verifies()
    {
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            beforeMap: web => web.Use(async (context, next) =>
            {
                context.Request.EnableBuffering();
                using var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true);
                _ = await reader.ReadToEndAsync();
                await next(context);
            }));

        using var response = await app.PostSignedAsync(Support.Events.Envelope("customer.created"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Starting_without_a_secret_fails_with_a_message_that_says_what_to_configure()
    {
        var exception = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase(), options => options.Secrets.Clear());
        });

        Assert.Contains("whsec_", exception.Message);
    }

    [Fact]
    public async Task Unsigned_requests_are_accepted_only_when_explicitly_allowed()
    {
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase(), options =>
        {
            options.Secrets.Clear();
            options.AllowUnsignedRequests = true;
        });
        using var content = new ByteArrayContent(Support.Events.Envelope("customer.created"));

        using var response = await app.Client.PostAsync("/webhooks/herald", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
