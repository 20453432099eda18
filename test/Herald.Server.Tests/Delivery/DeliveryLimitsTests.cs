using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Delivery;

public sealed class DeliveryLimitsTests : IAsyncLifetime
{
    private HeraldTestServer _server = null!;
    private WebhookReceiver _receiver = null!;
    private string _account = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await HeraldTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Delivery:MaxConcurrencyPerEndpoint"] = "2",
            ["Herald:Delivery:AcceptAny2xx"] = "true",
        });
        _receiver = await WebhookReceiver.StartAsync();
        _account = await _server.CreateAccountAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_slow_endpoint_gets_at_most_its_concurrency_limit_while_other_endpoints_are_served_at_once()
    {
        var concurrent = 0;
        var maxConcurrent = 0;
        var release = new TaskCompletionSource();
        var slowHook = await _server.CreateWebhookAsync(_account, _receiver.Url("/slow"), "payment_intent.created");
        await _server.CreateWebhookAsync(_account, _receiver.Url("/fast"), "refund.received");
        _receiver.Respond = request =>
        {
            if (request.Path != "/slow")
            {
                return ReceiverResponse.Ok;
            }

            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref maxConcurrent, now);
            release.Task.Wait(TimeSpan.FromSeconds(10));
            Interlocked.Decrement(ref concurrent);
            return ReceiverResponse.Ok;
        };

        for (var i = 0; i < 8; i++)
        {
            await _server.PublishAsync(_account, "payment_intent.created", id: $"evt_slow_{i}");
        }

        await _receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/slow") == 2);
        await _server.PublishAsync(_account, "refund.received", id: "evt_fast");
        await _receiver.WaitUntilAsync(r => r.Any(x => x.Path == "/fast"), TimeSpan.FromSeconds(5));
        var slowSeenWhileBlocked = _receiver.Requests.Count(x => x.Path == "/slow");
        release.SetResult();
        await _receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/slow") == 8);

        Assert.Equal(2, slowSeenWhileBlocked);
        Assert.Equal(2, maxConcurrent);
        await WaitForCountAsync(async () => (await _server.DeliveriesAsync($"?webhook_id={slowHook["id"]}&status=success")).Count, 8);
    }

    [Fact]
    public async Task Any_2xx_counts_as_success_when_the_option_is_on()
    {
        _receiver.Respond = _ => new ReceiverResponse(202, "accepted");
        await _server.CreateWebhookAsync(_account, _receiver.Url(), "customer.created");
        await _server.PublishAsync(_account, "customer.created", id: "evt_202");
        var deliveryId = (await _server.DeliveriesAsync("?event_id=evt_202"))[0]!["id"]!.GetValue<string>();

        var delivery = await _server.WaitForDeliveryAsync(deliveryId, d => d["status"]!.GetValue<string>() != "queued");

        Assert.Equal("success", delivery["status"]!.GetValue<string>());
        Assert.Equal(202, delivery["attempts"]![0]!["status_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Only_the_first_4_KiB_of_a_response_body_is_kept_in_the_attempt_log()
    {
        _receiver.Respond = _ => new ReceiverResponse(500, new string('x', 100_000));
        await _server.CreateWebhookAsync(_account, _receiver.Url(), "customer.created");
        await _server.PublishAsync(_account, "customer.created", id: "evt_big_answer");
        var deliveryId = (await _server.DeliveriesAsync("?event_id=evt_big_answer"))[0]!["id"]!.GetValue<string>();

        var delivery = await _server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);
        var attempt = delivery["attempts"]![0]!;

        Assert.Equal(4096, attempt["response_body"]!.GetValue<string>().Length);
        Assert.Equal(1, attempt["number"]!.GetValue<int>());
        Assert.True(attempt["duration_ms"]!.GetValue<long>() >= 0);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async Task WaitForCountAsync(Func<Task<int>> count, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        int last;
        while ((last = await count()) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"expected {expected}, last saw {last}");
            await Task.Delay(20);
        }
    }
}
