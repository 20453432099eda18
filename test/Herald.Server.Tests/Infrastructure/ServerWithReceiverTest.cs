using Herald.Testing;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>A test class with its own Herald server and one real webhook receiver, both on 127.0.0.1.</summary>
public abstract class ServerWithReceiverTest : IAsyncLifetime
{
    protected HeraldTestServer Server { get; private set; } = null!;

    protected WebhookReceiver Receiver { get; private set; } = null!;

    /// <summary>Configuration for the server, on top of the test defaults.</summary>
    protected virtual IDictionary<string, string?>? ServerSettings => null;

    public virtual async ValueTask InitializeAsync()
    {
        Server = await HeraldTestServer.StartAsync(ServerSettings);
        Receiver = await WebhookReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
