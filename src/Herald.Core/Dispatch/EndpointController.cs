using Herald.Core.Deliveries;

namespace Herald.Core.Dispatch;

/// <summary>What an endpoint's controller does with a delivery offered to it.</summary>
internal enum Admission
{
    /// <summary>Send it now: a slot is taken.</summary>
    Start,

    /// <summary>It waits in memory behind the attempts in flight (at most about one attempt's time, well inside its lease).</summary>
    Wait,

    /// <summary>Give it back to the database untouched: the endpoint cannot take it now.</summary>
    Release,
}

/// <summary>How an attempt went, as far as the endpoint's load and health are concerned.</summary>
internal enum AttemptSignal
{
    /// <summary>The endpoint took the delivery.</summary>
    Success,

    /// <summary>The endpoint is overloaded or away: a timeout, a connection error, a 5xx or a 429.</summary>
    Overload,

    /// <summary>The endpoint answered but refused (another 4xx, a redirect): not a load signal, still a failure.</summary>
    Refused,
}

/// <summary>What finishing an attempt changed: the next delivery to send and the deliveries to give back.</summary>
internal readonly record struct Completion(ClaimedDelivery? Next, IReadOnlyList<ClaimedDelivery> Released, long? CircuitOpenedUntil);

/// <summary>
/// One endpoint's share of this node: its adaptive concurrency limit, the attempts in flight and the claimed
/// deliveries waiting behind them, and its circuit breaker. Thread-safe; every decision is made under one lock.
/// </summary>
/// <remarks>
/// <para>
/// The limit starts at <see cref="DeliveryOptions.InitialConcurrencyPerEndpoint"/> and adapts like TCP's congestion
/// window: it doubles per round of quick successes until the first sign of overload (slow start), then grows by one per
/// round while answers stay within twice the fastest recent answer; a timeout, connection error, 5xx or 429 halves it
/// (at most once a second, so one burst of failures counts once). It never exceeds
/// <see cref="DeliveryOptions.MaxConcurrencyPerEndpoint"/>. So a fast endpoint takes as much of the node as it can
/// answer, and a slow or hanging one is held to one or two attempts.
/// </para>
/// <para>
/// After <see cref="DeliveryOptions.CircuitBreakerThreshold"/> failures in a row the circuit opens: the endpoint gets no
/// attempt for <see cref="DeliveryOptions.CircuitBreakDuration"/> (doubling per failed probe up to
/// <see cref="DeliveryOptions.MaxCircuitBreakDuration"/>), its deliveries wait without spending their retry budget, and
/// then a single probe decides: success closes it, failure opens it again. A 429 or 503 with <c>Retry-After</c> opens it
/// for that long.
/// </para>
/// </remarks>
internal sealed class EndpointController(DeliveryOptions options, TimeProvider timeProvider)
{
    /// <summary>
    /// The ceiling for endpoints that close the connection after every answer: each attempt costs them a TCP handshake,
    /// and such servers often have a small accept backlog (Python's http.server listens with 5), so a burst of new
    /// connections gets reset.
    /// </summary>
    public const int ClosingEndpointCeiling = 8;

    private static readonly TimeSpan DecreaseSpacing = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BaselineWindow = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Queue<ClaimedDelivery> _waiting = new();
    private double _limit = Math.Min(options.InitialConcurrencyPerEndpoint, options.MaxConcurrencyPerEndpoint);
    private bool _slowStart = true;
    private int _inFlight;
    private int _reserved;
    private int _consecutiveFailures;
    private long _lastDecrease;
    private double _fastestMs = double.MaxValue;
    private long _fastestSince;
    private long _openUntil;
    private TimeSpan _breakDuration = options.CircuitBreakDuration;
    private bool _probing;
    private bool _closesConnections;

    /// <summary>The current concurrency limit.</summary>
    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return (int)_limit;
            }
        }
    }

    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Whether a claim should bring this endpoint more work now.</summary>
    public bool WantsMore(long now)
    {
        lock (_lock)
        {
            return IsClosed ? Occupancy < 2 * (int)_limit : IsProbeDue(now) && Occupancy == 0;
        }
    }

    /// <summary>Whether the circuit is open (no attempts) at <paramref name="now"/>.</summary>
    public bool IsOpen(long now) => OpenUntil(now) is not null;

    /// <summary>Until when the circuit is open, or null when it is not open at <paramref name="now"/>.</summary>
    public long? OpenUntil(long now)
    {
        lock (_lock)
        {
            return _openUntil > now ? _openUntil : null;
        }
    }

    /// <summary>Offers a claimed delivery.</summary>
    public Admission Admit(ClaimedDelivery delivery, long now)
    {
        lock (_lock)
        {
            return AdmitLocked(delivery, now, reserved: false);
        }
    }

    /// <summary>Reserves room for a delivery about to be stored (the ingest fast path); only a closed, unbusy circuit reserves.</summary>
    public bool TryReserve()
    {
        lock (_lock)
        {
            if (!IsClosed || Occupancy >= 2 * (int)_limit)
            {
                return false;
            }

            _reserved++;
            return true;
        }
    }

    public void Unreserve()
    {
        lock (_lock)
        {
            _reserved--;
        }
    }

    /// <summary>Turns a reservation into a delivery: it starts or waits, unless the circuit opened meanwhile.</summary>
    public Admission AdmitReserved(ClaimedDelivery delivery, long now)
    {
        lock (_lock)
        {
            _reserved--;
            return AdmitLocked(delivery, now, reserved: true);
        }
    }

    /// <summary>
    /// Records how an attempt went, adapts the limit and the circuit, and frees its slot or hands it to the next waiting
    /// delivery (none while stopping).
    /// </summary>
    public Completion Complete(AttemptSignal signal, TimeSpan duration, TimeSpan? retryAfter, bool takeNext, bool closesConnections = false)
    {
        var now = timeProvider.GetTimestamp();
        var wallNow = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            var wasProbe = _probing;
            _probing = false;
            if (closesConnections && !_closesConnections)
            {
                _closesConnections = true;
                _limit = Math.Min(_limit, ClosingEndpointCeiling);
            }

            long? opened = null;
            if (signal == AttemptSignal.Success)
            {
                _consecutiveFailures = 0;
                if (wasProbe || _openUntil != 0)
                {
                    // The probe got through: close the circuit and start over carefully.
                    _openUntil = 0;
                    _breakDuration = options.CircuitBreakDuration;
                    _limit = Math.Min(options.InitialConcurrencyPerEndpoint, options.MaxConcurrencyPerEndpoint);
                }
                else
                {
                    Grow(duration, now);
                }
            }
            else
            {
                _consecutiveFailures++;
                if (signal == AttemptSignal.Overload && (_lastDecrease == 0 || timeProvider.GetElapsedTime(_lastDecrease, now) >= DecreaseSpacing))
                {
                    _limit = Math.Max(1, Math.Floor(_limit / 2));
                    _slowStart = false;
                    _lastDecrease = now;
                }

                var pause = retryAfter is { } asked && asked > TimeSpan.Zero
                    ? TimeSpan.FromTicks(Math.Min(asked.Ticks, options.MaxCircuitBreakDuration.Ticks))
                    : (TimeSpan?)null;
                if (wasProbe)
                {
                    _breakDuration = TimeSpan.FromTicks(Math.Min(_breakDuration.Ticks * 2, options.MaxCircuitBreakDuration.Ticks));
                    opened = Open(wallNow, pause ?? _breakDuration);
                }
                else if (pause is { } wait)
                {
                    opened = Open(wallNow, wait);
                }
                else if (options.CircuitBreakerThreshold > 0 && _consecutiveFailures >= options.CircuitBreakerThreshold && _openUntil <= wallNow)
                {
                    opened = Open(wallNow, _breakDuration);
                }
            }

            // Waiting deliveries must not outwait their lease: give back all of them when the circuit opens, and those
            // beyond the (maybe halved) limit otherwise.
            var released = opened is not null ? DrainLocked() : DrainBeyond((int)_limit);
            if (takeNext && _inFlight <= (int)_limit && _waiting.TryDequeue(out var next))
            {
                // The slot passes straight to the next waiting delivery.
                return new Completion(next, released, opened);
            }

            _inFlight--;
            return new Completion(null, released, opened);
        }
    }

    /// <summary>Makes an open circuit's probe due now (someone asked for a delivery to this endpoint by hand).</summary>
    public void ProbeNow(long now)
    {
        lock (_lock)
        {
            if (_openUntil > now)
            {
                _openUntil = now;
            }
        }
    }

    /// <summary>Takes every waiting delivery out, to give back (stopping, or the circuit opened).</summary>
    public List<ClaimedDelivery> DrainWaiting()
    {
        lock (_lock)
        {
            return DrainLocked();
        }
    }

    private int Occupancy => _inFlight + _waiting.Count + _reserved;

    private bool IsClosed => _openUntil == 0;

    private bool IsProbeDue(long now) => _openUntil != 0 && _openUntil <= now && !_probing;

    private Admission AdmitLocked(ClaimedDelivery delivery, long now, bool reserved)
    {
        if (_openUntil != 0)
        {
            if (!IsProbeDue(now) || _inFlight > 0)
            {
                return Admission.Release;
            }

            // Half-open: this one delivery probes the endpoint; the rest wait for its answer in the database.
            _probing = true;
            _inFlight++;
            return Admission.Start;
        }

        if (_inFlight < (int)_limit)
        {
            _inFlight++;
            return Admission.Start;
        }

        if (reserved || _waiting.Count < (int)_limit)
        {
            _waiting.Enqueue(delivery);
            return Admission.Wait;
        }

        return Admission.Release;
    }

    private void Grow(TimeSpan duration, long now)
    {
        var ms = duration.TotalMilliseconds;
        if (_fastestSince == 0 || timeProvider.GetElapsedTime(_fastestSince, now) > BaselineWindow)
        {
            // Forget old speeds now and then, so a baseline from a quieter moment does not stall growth for ever.
            _fastestMs = ms;
            _fastestSince = now;
        }
        else
        {
            _fastestMs = Math.Min(_fastestMs, ms);
        }

        if (ms > (2 * _fastestMs) + 5)
        {
            return; // answers are slowing: hold the limit
        }

        // Slow start: +1 per success doubles the limit per round; afterwards +1/limit per success adds one per round.
        var ceiling = _closesConnections ? Math.Min(ClosingEndpointCeiling, options.MaxConcurrencyPerEndpoint) : options.MaxConcurrencyPerEndpoint;
        _limit = Math.Min(ceiling, _limit + (_slowStart ? 1 : 1 / Math.Floor(_limit)));
    }

    private long Open(long now, TimeSpan duration)
    {
        _openUntil = now + (long)duration.TotalMilliseconds;
        return _openUntil;
    }

    private List<ClaimedDelivery> DrainBeyond(int keep)
    {
        if (_waiting.Count <= keep)
        {
            return [];
        }

        var kept = new Queue<ClaimedDelivery>(_waiting.Take(keep));
        var drained = _waiting.Skip(keep).ToList();
        _waiting.Clear();
        foreach (var delivery in kept)
        {
            _waiting.Enqueue(delivery);
        }

        return drained;
    }

    private List<ClaimedDelivery> DrainLocked()
    {
        var drained = _waiting.ToList();
        _waiting.Clear();
        return drained;
    }
}
