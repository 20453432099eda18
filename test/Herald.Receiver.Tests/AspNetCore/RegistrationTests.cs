using System.Net;
using Herald.Receiver.Events;
using Herald.Receiver.Partners;
using Herald.Receiver.Processing;
using Herald.Receiver.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Receiver.Tests.AspNetCore;

public sealed class RegistrationTests
{
    [Fact]
    public async Task Adding_the_receiver_twice_registers_one_inbox_processor_and_each_handler_once_and_keeps_both_configurations()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHeraldReceiver(options => options.Secrets.Add("whsec_first"))
            .UseSqliteInbox(ReceiverApp.NewSqliteDatabase())
            .AddHandler<CustomerCreated, RecordingHandler<CustomerCreated>>();
        services.AddHeraldReceiver(options => options.MaxConcurrency = 7)
            .AddHandler<CustomerCreated, RecordingHandler<CustomerCreated>>()
            .AddPartnerDisconnectionNotifier<SilentNotifier>()
            .AddPartnerDisconnectionNotifier<SilentNotifier>();
        services.AddHeraldReceiver();

        await using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IHostedService>().OfType<InboxProcessor>());
        var registrations = provider.GetServices<HandlerRegistration>().ToList();
        Assert.Single(registrations, r => r.HandlerType == typeof(PartnerConnectionHandler));
        Assert.Single(registrations, r => r.HandlerType == typeof(RecordingHandler<CustomerCreated>));
        Assert.Single(services, d => d.ServiceType == typeof(IPartnerDisconnectionNotifier));
        var options = provider.GetRequiredService<IOptions<HeraldReceiverOptions>>().Value;
        Assert.Equal(["whsec_first"], options.Secrets);
        Assert.Equal(7, options.MaxConcurrency);
    }

    [Fact]
    public async Task Options_bind_from_a_configuration_section_and_the_sqlite_inbox_takes_its_connection_string_from_there()
    {
        var folder = Directory.CreateTempSubdirectory("herald-receiver-config-").FullName;
        var file = Path.Combine(folder, "from-config.db");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HeraldReceiver:Secrets:0"] = "whsec_old_one",
            ["HeraldReceiver:Secrets:1"] = "whsec_new_one",
            ["HeraldReceiver:Tolerance"] = "00:02:00",
            ["HeraldReceiver:MaxAttempts"] = "3",
            ["HeraldReceiver:LeaseDuration"] = "00:00:45",
            ["HeraldReceiver:AllowedSourceNetworks:0"] = "127.0.0.0/8",
            ["HeraldReceiver:InboxConnectionString"] = $"Data Source={file}",
            ["HeraldReceiver:PartnerReconnectUrl"] = "https://example.com/connect",
        });
        builder.Services.AddHeraldReceiver(builder.Configuration.GetSection("HeraldReceiver")).UseSqliteInbox();
        await using var app = builder.Build();
        app.MapHeraldWebhooks("/webhooks");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        var id = Support.Events.NewId();
        var body = Support.Events.Envelope("customer.created", id);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks") { Content = new ByteArrayContent(body) };
        HeraldWebhook.GenerateTestHeaders("whsec_new_one", body).ApplyTo(request.Headers);

        using var response = await client.SendAsync(request);

        var options = app.Services.GetRequiredService<IOptions<HeraldReceiverOptions>>().Value;
        Assert.Equal(["whsec_old_one", "whsec_new_one"], options.Secrets);
        Assert.Equal((TimeSpan.FromMinutes(2), 3, TimeSpan.FromSeconds(45)), (options.Tolerance, options.MaxAttempts, options.LeaseDuration));
        Assert.Equal(["127.0.0.0/8"], options.AllowedSourceNetworks);
        Assert.Equal(new Uri("https://example.com/connect"), options.PartnerReconnectUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await app.Services.GetRequiredService<IWebhookInbox>().FindAsync(id));
        Assert.True(File.Exists(file));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_configuration_section_without_secrets_fails_the_start_saying_what_to_set()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["HeraldReceiver:MaxAttempts"] = "3" });
        builder.Services.AddHeraldReceiver(builder.Configuration.GetSection("HeraldReceiver")).UseSqliteInbox(ReceiverApp.NewSqliteDatabase());
        await using var app = builder.Build();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Secrets", exception.Message);
        Assert.Contains("whsec_", exception.Message);
    }

    [Fact]
    public async Task Without_an_inbox_mapping_the_endpoint_fails_saying_which_package_to_add_and_what_to_call()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHeraldReceiver(options => options.Secrets.Add("whsec_x"));
        await using var app = builder.Build();

        var exception = Assert.Throws<InvalidOperationException>(() => app.MapHeraldWebhooks("/webhooks"));

        Assert.Contains("Herald.Receiver.Sqlite", exception.Message);
        Assert.Contains(".UseSqliteInbox(", exception.Message);
        Assert.Contains("Herald.Receiver.PostgreSql", exception.Message);
        Assert.Contains(".UsePostgresInbox(", exception.Message);
    }

    [Fact]
    public async Task Without_an_inbox_an_app_that_only_processes_fails_at_start_with_the_same_message()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHeraldReceiver(options => options.Secrets.Add("whsec_x"));
        await using var app = builder.Build();

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("Herald.Receiver.Sqlite", exception.Message);
        Assert.Contains(".UsePostgresInbox(", exception.Message);
    }

    [Fact]
    public async Task The_postgres_inbox_without_a_connection_string_says_where_to_put_one()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHeraldReceiver(options => options.Secrets.Add("whsec_x")).UsePostgresInbox();
        await using var provider = services.BuildServiceProvider();

        var exception = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IWebhookInbox>());

        Assert.Contains("InboxConnectionString", exception.Message);
    }

    [Fact]
    public async Task The_postgres_inbox_can_use_the_apps_own_data_source_and_leaves_it_open()
    {
        var database = await Herald.Testing.PostgresServer.CreateDatabaseAsync("receiver_ds");
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(database);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(dataSource);
        services.AddHeraldReceiver(options => options.Secrets.Add("whsec_x")).UsePostgresInbox(sp => sp.GetRequiredService<Npgsql.NpgsqlDataSource>());

        await using (var provider = services.BuildServiceProvider())
        {
            Assert.Equal(new InboxCounts(0, 0, 0), await provider.GetRequiredService<IWebhookInbox>().GetCountsAsync());
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM herald_inbox_schema_migrations", connection);
        Assert.Equal(2L, await command.ExecuteScalarAsync());
    }

    private sealed class SilentNotifier : IPartnerDisconnectionNotifier
    {
        public Task NotifyAsync(PartnerDisconnectionNotice notice, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
