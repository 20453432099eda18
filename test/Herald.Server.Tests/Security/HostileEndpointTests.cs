using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Herald.Core.Dispatch;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Security;

/// <summary>
/// Endpoints that misbehave cost Herald little and lose nothing: HTTP/1.0 servers that close after answering get every
/// delivery on the first attempt, an endless answer is read for its first 4 KiB and dropped, a silent socket times out,
/// and control bytes in an answer are stored harmlessly.
/// </summary>
public sealed class HostileEndpointTests
{
    private const int Deliveries = 1000;

    private static async Task<(HeraldTestServer Server, string Account)> StartAsync(LoopbackDialer? dialer = null)
    {
        var server = await HeraldTestServer.StartAsync(services: dialer is null ? null : services => services.AddSingleton<NetworkDialer>(dialer));
        return (server, await server.CreateAccountAsync());
    }

    private static async Task PublishManyAsync(HeraldTestServer server, string account, int count)
    {
        var events = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            events.Add(new JsonObject { ["id"] = $"evt_{i}", ["name"] = "refund.received", ["account_id"] = account, ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = $"r_{i}" } } });
        }

        await server.PostAsync("/api/v1/events/batch_create", new JsonObject { ["events"] = events });
    }

    private static async Task AssertAllSucceededOnTheFirstAttemptAsync(HeraldTestServer server, int count)
    {
        // Fake time stands still: a failed first attempt would wait (queued) for its retry, never succeed.
        await server.WaitForIdleAsync(TimeSpan.FromSeconds(120));
        var deliveries = await server.DeliveriesAsync("?page_size=1000");
        Assert.Equal(count, deliveries.Count);
        var failed = deliveries.Where(d => d!["status"]!.GetValue<string>() != "success" || d["attempt_count"]!.GetValue<int>() != 1).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {count} deliveries did not succeed on the first attempt, e.g. {failed.FirstOrDefault()?.ToJsonString()}");
    }

    [Fact]
    public async Task Pythons_http_server_answering_HTTP_1_0_gets_all_1000_deliveries_on_the_first_attempt()
    {
        await using var receiver = await PythonHttp10Receiver.StartAsync();
        var (server, account) = await StartAsync();
        await using var _ = server;
        await server.CreateWebhookAsync(account, receiver.Url, "refund.received");

        await PublishManyAsync(server, account, Deliveries);

        await AssertAllSucceededOnTheFirstAttemptAsync(server, Deliveries);
    }

    [Fact]
    public async Task A_plain_socket_server_that_closes_after_each_HTTP_1_0_answer_gets_all_1000_deliveries_on_the_first_attempt()
    {
        await using var endpoint = new RawHttpEndpoint(async (stream, head, token) =>
        {
            await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), token);
            await Task.Yield(); // close a moment after answering: the client may already reuse the connection
            return false;
        });
        var (server, account) = await StartAsync();
        await using var _ = server;
        await server.CreateWebhookAsync(account, endpoint.Url, "refund.received");

        await PublishManyAsync(server, account, Deliveries);

        await AssertAllSucceededOnTheFirstAttemptAsync(server, Deliveries);
        Assert.Equal(Deliveries, endpoint.Requests);
    }

    public static TheoryData<string, string> EndlessAnswers => new()
    {
        { "no length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" },
        { "a huge Content-Length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1073741824\r\n\r\n" },
        { "chunked", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(EndlessAnswers))]
    public async Task An_endless_answer_is_read_for_at_most_64_KiB_and_dropped(string kind, string head)
    {
        var chunked = kind == "chunked";
        await using var endpoint = new RawHttpEndpoint(async (stream, _, token) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), token);
            var block = Encoding.ASCII.GetBytes(new string('x', 16 * 1024));
            var chunk = chunked ? [.. Encoding.ASCII.GetBytes($"{block.Length:x}\r\n"), .. block, .. "\r\n"u8.ToArray()] : block;
            while (true)
            {
                await stream.WriteAsync(chunk, token); // ends only when Herald drops the connection
            }
        });
        var dialer = new LoopbackDialer();
        var (server, account) = await StartAsync(dialer);
        await using var _ = server;
        await server.CreateWebhookAsync(account, endpoint.Url, "refund.received");

        await server.PublishAsync(account, "refund.received", id: "evt_endless");
        var deliveryId = (await server.DeliveriesAsync("?event_id=evt_endless"))[0]!["id"]!.GetValue<string>();
        var delivery = await server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);
        Assert.True(await endpoint.AnswerEnded.WaitAsync(TimeSpan.FromSeconds(30)), "the endless answer was never cut off");

        var attempt = delivery["attempts"]![0]!;
        Assert.Equal(200, attempt["status_code"]!.GetValue<int>());
        Assert.Equal(4096, attempt["response_body"]!.GetValue<string>().Length);
        var read = Assert.Single(dialer.Streams).BytesRead;
        TestContext.Current.TestOutputHelper?.WriteLine($"Endless answer ({kind}): {read} bytes read for the attempt");
        Assert.True(read <= 64 * 1024, $"{read} bytes were read for one attempt ({kind})");
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_on_the_fake_clock()
    {
        await using var endpoint = new RawHttpEndpoint(async (_, _, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return false;
        });
        var (server, account) = await StartAsync();
        await using var _ = server;
        await server.CreateWebhookAsync(account, endpoint.Url, "refund.received");
        await server.PublishAsync(account, "refund.received", id: "evt_silent");
        Assert.True(await endpoint.RequestRead.WaitAsync(TimeSpan.FromSeconds(20)));

        server.Time!.Advance(TimeSpan.FromSeconds(15));

        var deliveryId = (await server.DeliveriesAsync("?event_id=evt_silent"))[0]!["id"]!.GetValue<string>();
        var delivery = await server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);
        Assert.StartsWith("timeout", delivery["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_bytes_in_an_answer_are_stored_as_replacement_characters()
    {
        await using var endpoint = new RawHttpEndpoint(async (stream, _, token) =>
        {
            await stream.WriteAsync("HTTP/1.1 500 Oops\r\nContent-Length: 7\r\n\r\nA\0B\u001bC\r\n"u8.ToArray(), token);
            return true;
        });
        var (server, account) = await StartAsync();
        await using var _ = server;
        await server.CreateWebhookAsync(account, endpoint.Url, "refund.received");

        await server.PublishAsync(account, "refund.received", id: "evt_nul_answer");
        var deliveryId = (await server.DeliveriesAsync("?event_id=evt_nul_answer"))[0]!["id"]!.GetValue<string>();
        var delivery = await server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);

        Assert.Equal("A\uFFFDB\uFFFDC\r\n", delivery["attempts"]![0]!["response_body"]!.GetValue<string>());
    }
}
