using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Delivery;

public sealed class DeliveryLimitsTests : ServerWithReceiverTest
{
    private string _account = null!;

    protected override IDictionary<string, string?> ServerSettings => new Dictionary<string, string?>
    {
        ["Herald:Delivery:MaxConcurrencyPerEndpoint"] = "2",
        ["Herald:Delivery:AcceptAny2xx"] = "true",
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _account = await Server.CreateAccountAsync();
    }

    [Fact]
    public async Task A_slow_endpoint_gets_at_most_its_concurrency_limit_while_other_endpoints_are_served_at_once()
    {
        var concurrent = 0;
        var maxConcurrent = 0;
        var release = new TaskCompletionSource();
        var slowHook = await Server.CreateWebhookAsync(_account, Receiver.Url("/slow"), "payment_intent.created");
        await Server.CreateWebhookAsync(_account, Receiver.Url("/fast"), "refund.received");
        Receiver.Respond = request =>
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
            await Server.PublishAsync(_account, "payment_intent.created", id: $"evt_slow_{i}");
        }

        await Receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/slow") == 2);
        await Server.PublishAsync(_account, "refund.received", id: "evt_fast");
        await Receiver.WaitUntilAsync(r => r.Any(x => x.Path == "/fast"), TimeSpan.FromSeconds(5));
        var slowSeenWhileBlocked = Receiver.Requests.Count(x => x.Path == "/slow");
        release.SetResult();
        await Receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/slow") == 8);

        Assert.Equal(2, slowSeenWhileBlocked);
        Assert.Equal(2, maxConcurrent);
        await WaitForCountAsync(async () => (await Server.DeliveriesAsync($"?webhook_id={slowHook["id"]}&status=success")).Count, 8);
    }

    [Fact]
    public async Task Any_2xx_counts_as_success_when_the_option_is_on()
    {
        Receiver.Respond = _ => new ReceiverResponse(202, "accepted");
        await Server.CreateWebhookAsync(_account, Receiver.Url(), "customer.created");
        await Server.PublishAsync(_account, "customer.created", id: "evt_202");
        var deliveryId = (await Server.DeliveriesAsync("?event_id=evt_202"))[0]!["id"]!.GetValue<string>();

        var delivery = await Server.WaitForDeliveryAsync(deliveryId, d => d["status"]!.GetValue<string>() != "queued");

        Assert.Equal("success", delivery["status"]!.GetValue<string>());
        Assert.Equal(202, delivery["attempts"]![0]!["status_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Only_the_first_4_KiB_of_a_response_body_is_kept_in_the_attempt_log()
    {
        Receiver.Respond = _ => new ReceiverResponse(500, new string('x', 100_000));
        await Server.CreateWebhookAsync(_account, Receiver.Url(), "customer.created");
        await Server.PublishAsync(_account, "customer.created", id: "evt_big_answer");
        var deliveryId = (await Server.DeliveriesAsync("?event_id=evt_big_answer"))[0]!["id"]!.GetValue<string>();

        var delivery = await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);
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
