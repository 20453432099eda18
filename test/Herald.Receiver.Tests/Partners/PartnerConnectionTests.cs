using System.Collections.Concurrent;
using System.Text;
using Herald.Receiver.Tests.Support;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Receiver.Tests.Partners;

public sealed class PartnerConnectionTests
{
    private static string Disconnected(string id, string accounts, string? org, string createdAt = "2026-05-20T13:54:20+0000") =>
        $$"""{"id":"{{id}}","name":"partner_connection.disconnected","app_id":"appid_YShMHGlexW8P3ElndQ9H","data":{"account_ids":[{{accounts}}]{{(org is null ? "" : $",\"org_id\":\"{org}\"")}},"reason":"user_initiated"},"created_at":"{{createdAt}}","version":"2026-02-27"}""";

    [Fact]
    public async Task A_disconnection_with_two_accounts_and_an_org_marks_all_three_inactive_and_notifies_with_a_reconnect_link()
    {
        var notices = new ConcurrentQueue<PartnerDisconnectionNotice>();
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            options => options.PartnerReconnectUrl = new Uri("https://app.example.com/connect/airwallex"),
            b => b.AddPartnerDisconnectionNotifier<CollectingNotifier>(),
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 5, 20, 13, 0, 0, TimeSpan.Zero)),
            services: s => s.AddSingleton(notices));
        var partners = app.Services.GetRequiredService<IPartnerConnections>();
        foreach (var id in new[] { "acct_yETjCx7GPIqDcnp2fYkSww", "acct_grlXIezYOl2EzrBpPuxbXg", "org_8VxyrkWuSvKe-Yq2NqJ-4Q", "acct_untouched" })
        {
            await partners.MarkConnectedAsync(id, "appid_YShMHGlexW8P3ElndQ9H");
        }

        var eventId = Guid.NewGuid().ToString();
        using var response = await app.PostSignedAsync(Disconnected(eventId, "\"acct_yETjCx7GPIqDcnp2fYkSww\",\"acct_grlXIezYOl2EzrBpPuxbXg\"", "org_8VxyrkWuSvKe-Yq2NqJ-4Q"));
        await app.WaitForStateAsync(eventId, InboxEntryState.Processed);

        Assert.False(await partners.IsConnectedAsync("acct_yETjCx7GPIqDcnp2fYkSww"));
        Assert.False(await partners.IsConnectedAsync("acct_grlXIezYOl2EzrBpPuxbXg"));
        Assert.False(await partners.IsConnectedAsync("org_8VxyrkWuSvKe-Yq2NqJ-4Q"));
        Assert.Equal(PartnerConnectionStatus.Disconnected, await partners.GetStatusAsync("org_8VxyrkWuSvKe-Yq2NqJ-4Q"));
        Assert.True(await partners.IsConnectedAsync("acct_untouched"));
        var notice = Assert.Single(notices);
        Assert.Equal(eventId, notice.EventId);
        Assert.Equal(["acct_yETjCx7GPIqDcnp2fYkSww", "acct_grlXIezYOl2EzrBpPuxbXg"], notice.AccountIds);
        Assert.Equal("org_8VxyrkWuSvKe-Yq2NqJ-4Q", notice.OrgId);
        Assert.Equal("user_initiated", notice.Reason);
        Assert.Equal(new Uri("https://app.example.com/connect/airwallex"), notice.ReconnectUrl);
    }

    [Fact]
    public async Task The_seed_vector_body_signed_as_airwallex_does_disconnects_both_accounts_and_the_org()
    {
        var vector = SignatureVectors.Valid.Single(v => v.Name == "seed-partner-disconnected");
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            options =>
            {
                options.Secrets.Add(vector.Secret);
                options.Tolerance = Timeout.InfiniteTimeSpan;
            });
        var partners = app.Services.GetRequiredService<IPartnerConnections>();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/herald") { Content = new StringContent(vector.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-timestamp", vector.Timestamp);
        request.Headers.Add("x-signature", vector.Signature);

        using var response = await app.Client.SendAsync(request);
        await app.WaitForStateAsync("afc52587-8eac-4c3c-b9eb-b48e904e672f", InboxEntryState.Processed);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        foreach (var id in new[] { "acct_yETjCx7GPIqDcnp2fYkSww", "acct_grlXIezYOl2EzrBpPuxbXg", "org_8VxyrkWuSvKe-Yq2NqJ-4Q" })
        {
            Assert.Equal(PartnerConnectionStatus.Disconnected, await partners.GetStatusAsync(id));
        }
    }

    [Fact]
    public async Task A_late_disconnection_created_before_a_reconnect_does_not_undo_it_and_no_org_means_accounts_only()
    {
        await using var app = await ReceiverApp.StartAsync(ReceiverApp.NewSqliteDatabase());
        var partners = app.Services.GetRequiredService<IPartnerConnections>();
        await partners.MarkConnectedAsync("acct_back");
        await partners.MarkConnectedAsync("org_kept");
        var eventId = Guid.NewGuid().ToString();

        using var response = await app.PostSignedAsync(Disconnected(eventId, "\"acct_back\",\"acct_never_seen\"", null, "2020-01-01T00:00:00+0000"));
        await app.WaitForStateAsync(eventId, InboxEntryState.Processed);

        Assert.True(await partners.IsConnectedAsync("acct_back"));
        Assert.True(await partners.IsConnectedAsync("org_kept"));
        Assert.Equal(PartnerConnectionStatus.Disconnected, await partners.GetStatusAsync("acct_never_seen"));
        Assert.Equal(PartnerConnectionStatus.Unknown, await partners.GetStatusAsync("acct_other"));
        Assert.False(await partners.IsConnectedAsync("acct_other"));
    }

    private sealed class CollectingNotifier(ConcurrentQueue<PartnerDisconnectionNotice> notices) : IPartnerDisconnectionNotifier
    {
        public Task NotifyAsync(PartnerDisconnectionNotice notice, CancellationToken cancellationToken)
        {
            notices.Enqueue(notice);
            return Task.CompletedTask;
        }
    }
}
