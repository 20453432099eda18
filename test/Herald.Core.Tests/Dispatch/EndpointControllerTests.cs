using Herald.Core.Deliveries;
using Herald.Core.Dispatch;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Core.Tests.Dispatch;

public sealed class EndpointControllerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 20, 13, 54, 20, TimeSpan.Zero));

    private EndpointController Controller(DeliveryOptions? options = null) => new(options ?? new DeliveryOptions(), _time);

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static ClaimedDelivery Delivery(int n) => new() { DeliveryId = $"dlv_{n}", EventId = "evt", WebhookId = "wh", Url = "https://example.com", WebhookStatus = "ENABLED", Body = [] };

    /// <summary>Fills the endpoint's slots and finishes every attempt with <paramref name="signal"/>: one round.</summary>
    private void Round(EndpointController endpoint, AttemptSignal signal, TimeSpan duration)
    {
        var started = 0;
        while (endpoint.Admit(Delivery(started), Now) == Admission.Start)
        {
            started++;
        }

        endpoint.DrainWaiting();
        for (var i = 0; i < started; i++)
        {
            endpoint.Complete(signal, duration, null, takeNext: false);
        }
    }

    [Fact]
    public void A_fast_endpoint_doubles_its_limit_per_round_up_to_the_ceiling()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 4, MaxConcurrencyPerEndpoint = 50 });
        var limits = new List<int> { endpoint.Limit };

        for (var round = 0; round < 6; round++)
        {
            Round(endpoint, AttemptSignal.Success, TimeSpan.FromMilliseconds(2));
            limits.Add(endpoint.Limit);
        }

        Assert.Equal([4, 8, 16, 32, 50, 50, 50], limits);
    }

    [Fact]
    public void Overload_halves_the_limit_once_per_second_and_growth_is_then_one_per_round()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 16, CircuitBreakerThreshold = 0 });

        Round(endpoint, AttemptSignal.Overload, TimeSpan.FromMilliseconds(5)); // 16 timeouts in one burst count once
        var afterBurst = endpoint.Limit;
        _time.Advance(TimeSpan.FromSeconds(1));
        Round(endpoint, AttemptSignal.Overload, TimeSpan.FromMilliseconds(5));
        var afterSecondBurst = endpoint.Limit;
        Round(endpoint, AttemptSignal.Success, TimeSpan.FromMilliseconds(5));

        Assert.Equal(8, afterBurst);
        Assert.Equal(4, afterSecondBurst);
        Assert.Equal(5, endpoint.Limit);
    }

    [Fact]
    public void A_refusal_such_as_a_400_is_not_a_load_signal()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 8, CircuitBreakerThreshold = 0 });

        Round(endpoint, AttemptSignal.Refused, TimeSpan.FromMilliseconds(5));

        Assert.Equal(8, endpoint.Limit);
    }

    [Fact]
    public void Answers_that_slow_down_stop_the_growth()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 4 });
        Round(endpoint, AttemptSignal.Success, TimeSpan.FromMilliseconds(10));
        var before = endpoint.Limit;

        Round(endpoint, AttemptSignal.Success, TimeSpan.FromMilliseconds(100));

        Assert.Equal(before, endpoint.Limit);
    }

    [Fact]
    public void Deliveries_wait_behind_a_full_endpoint_at_most_one_limit_deep_and_take_freed_slots_in_order()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 2, CircuitBreakerThreshold = 0 });

        var admissions = Enumerable.Range(0, 5).Select(i => endpoint.Admit(Delivery(i), Now)).ToList();
        var completion = endpoint.Complete(AttemptSignal.Refused, TimeSpan.FromMilliseconds(1), null, takeNext: true);

        Assert.Equal([Admission.Start, Admission.Start, Admission.Wait, Admission.Wait, Admission.Release], admissions);
        Assert.Equal("dlv_2", completion.Next!.DeliveryId);
        Assert.True(endpoint.WantsMore(Now)); // two in flight, one waiting: room for one more
        Assert.Equal(Admission.Wait, endpoint.Admit(Delivery(5), Now));
        Assert.False(endpoint.WantsMore(Now));
    }

    [Fact]
    public void Consecutive_failures_open_the_circuit_then_one_probe_decides_and_failed_probes_wait_longer()
    {
        var options = new DeliveryOptions { InitialConcurrencyPerEndpoint = 1, CircuitBreakerThreshold = 3, CircuitBreakDuration = TimeSpan.FromSeconds(30) };
        var endpoint = Controller(options);
        long? openedUntil = null;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Admission.Start, endpoint.Admit(Delivery(i), Now));
            openedUntil = endpoint.Complete(AttemptSignal.Overload, TimeSpan.FromSeconds(15), null, takeNext: true).CircuitOpenedUntil;
        }

        Assert.Equal(Now + 30_000, openedUntil);
        Assert.Equal(Admission.Release, endpoint.Admit(Delivery(10), Now));
        Assert.False(endpoint.WantsMore(Now));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(endpoint.WantsMore(Now));
        Assert.Equal(Admission.Start, endpoint.Admit(Delivery(11), Now)); // the probe
        Assert.Equal(Admission.Release, endpoint.Admit(Delivery(12), Now)); // only one probe at a time
        var reopened = endpoint.Complete(AttemptSignal.Overload, TimeSpan.FromSeconds(1), null, takeNext: true).CircuitOpenedUntil;
        Assert.Equal(Now + 60_000, reopened);

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(Admission.Start, endpoint.Admit(Delivery(13), Now));
        Assert.Null(endpoint.Complete(AttemptSignal.Success, TimeSpan.FromMilliseconds(5), null, takeNext: true).CircuitOpenedUntil);
        Assert.False(endpoint.IsOpen(Now));
        Assert.Equal(Admission.Start, endpoint.Admit(Delivery(14), Now));
    }

    [Fact]
    public void Retry_after_pauses_the_endpoint_for_the_asked_time_and_releases_what_waited()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 1 });
        endpoint.Admit(Delivery(0), Now);
        endpoint.Admit(Delivery(1), Now);

        var completion = endpoint.Complete(AttemptSignal.Overload, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(8), takeNext: true);

        Assert.Equal(Now + 8_000, completion.CircuitOpenedUntil);
        Assert.Equal(["dlv_1"], completion.Released.Select(d => d.DeliveryId));
        Assert.Null(completion.Next);
        Assert.True(endpoint.IsOpen(Now));
    }

    [Fact]
    public void Asking_for_a_delivery_by_hand_makes_an_open_circuit_probe_at_once()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 1, CircuitBreakerThreshold = 1 });
        endpoint.Admit(Delivery(0), Now);
        endpoint.Complete(AttemptSignal.Overload, TimeSpan.Zero, null, takeNext: true);
        Assert.True(endpoint.IsOpen(Now));

        endpoint.ProbeNow(Now);

        Assert.Equal(Admission.Start, endpoint.Admit(Delivery(1), Now));
    }

    [Fact]
    public void Reservations_count_against_room_and_are_refused_while_the_circuit_is_open()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 2, CircuitBreakerThreshold = 1 });

        var reserved = Enumerable.Range(0, 5).Count(_ => endpoint.TryReserve());
        Assert.Equal(4, reserved); // twice the limit: in flight plus waiting
        Assert.Equal(Admission.Start, endpoint.AdmitReserved(Delivery(0), Now));
        endpoint.Complete(AttemptSignal.Overload, TimeSpan.Zero, null, takeNext: false);

        Assert.False(endpoint.TryReserve());
    }

    [Fact]
    public void An_endpoint_that_closes_every_connection_stays_at_or_below_its_own_ceiling()
    {
        var endpoint = Controller(new DeliveryOptions { InitialConcurrencyPerEndpoint = 16, MaxConcurrencyPerEndpoint = 128 });
        endpoint.Admit(Delivery(0), Now);

        endpoint.Complete(AttemptSignal.Success, TimeSpan.FromMilliseconds(1), null, takeNext: false, closesConnections: true);
        for (var round = 0; round < 5; round++)
        {
            Round(endpoint, AttemptSignal.Success, TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(EndpointController.ClosingEndpointCeiling, endpoint.Limit);
    }
}
