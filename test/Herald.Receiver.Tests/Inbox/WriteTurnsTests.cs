using Herald.Receiver.Inbox;

namespace Herald.Receiver.Tests.Inbox;

public sealed class WriteTurnsTests
{
    [Fact]
    public async Task Acknowledgements_waiting_for_the_turn_go_before_earlier_processor_writes()
    {
        var turns = new WriteTurns();
        Assert.True(await turns.TakeAsync(acknowledgement: false, null, default));
        var order = new List<string>();
        var processor = Next(turns, false, "processor", order);
        var acknowledgement = Next(turns, true, "acknowledgement", order);

        turns.Release();
        await Task.WhenAll(processor, acknowledgement);

        Assert.Equal(["acknowledgement", "processor"], order);
    }

    [Fact]
    public async Task A_waiter_whose_patience_runs_out_holds_no_turn_and_the_next_one_gets_it()
    {
        var turns = new WriteTurns();
        Assert.True(await turns.TakeAsync(false, null, default));
        var impatient = turns.TakeAsync(false, TimeSpan.FromMilliseconds(1), default).AsTask();
        var patient = turns.TakeAsync(false, null, default).AsTask();

        Assert.False(await impatient);
        turns.Release();

        Assert.True(await patient.WaitAsync(TimeSpan.FromSeconds(10)));
        turns.Release();
        Assert.True(await turns.TakeAsync(true, null, default));
    }

    [Fact]
    public async Task A_cancelled_waiter_throws_and_leaves_the_turn_to_the_others()
    {
        var turns = new WriteTurns();
        Assert.True(await turns.TakeAsync(false, null, default));
        using var cancel = new CancellationTokenSource();
        var cancelled = turns.TakeAsync(true, null, cancel.Token).AsTask();
        var other = turns.TakeAsync(false, null, default).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        turns.Release();

        Assert.True(await other.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Many_concurrent_writers_never_hold_the_turn_together()
    {
        var turns = new WriteTurns();
        var inside = 0;
        var overlaps = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            for (var round = 0; round < 50; round++)
            {
                Assert.True(await turns.TakeAsync(i % 3 == 0, null, default));
                if (Interlocked.Increment(ref inside) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inside);
                turns.Release();
            }
        })));

        Assert.Equal(0, overlaps);
    }

    private static async Task Next(WriteTurns turns, bool acknowledgement, string name, List<string> order)
    {
        Assert.True(await turns.TakeAsync(acknowledgement, null, default));
        lock (order)
        {
            order.Add(name);
        }

        turns.Release();
    }
}
