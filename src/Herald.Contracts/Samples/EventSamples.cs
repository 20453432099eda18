using System.Collections.Concurrent;
using Herald.Contracts.Events;
using Herald.Contracts.Json;

namespace Herald.Contracts.Samples;

/// <summary>
/// Realistic sample <c>data</c> objects for every catalog event, shaped like the Airwallex API resources
/// (payment intents, attempts, consents, customers, refunds, payment methods, disputes). Used by
/// <c>webhooks/{id}/test</c>, <c>herald trigger</c> and tests.
/// </summary>
public static class EventSamples
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    /// <summary>Returns the sample <c>data</c> JSON object (UTF-8) for a catalog event name.</summary>
    /// <param name="name">A catalog event name.</param>
    /// <returns>
    /// The JSON bytes of the <c>data</c> member in canonical form (<see cref="CanonicalJson"/>: compact, what
    /// <c>JSON.stringify(JSON.parse(…))</c> gives back), for example <c>{"object":{…}}</c>.
    /// </returns>
    /// <exception cref="ArgumentException">The name is not in <see cref="EventCatalog"/>.</exception>
    public static ReadOnlyMemory<byte> GetData(string name)
    {
        if (!EventCatalog.Contains(name))
        {
            throw new ArgumentException($"'{name}' is not a catalog event name; see EventCatalog.All for the accepted names.", nameof(name));
        }

        return Cache.GetOrAdd(name, Load);
    }

    private static byte[] Load(string name)
    {
        var resource = $"Herald.Contracts.Samples.{name}.json";
        using var stream = typeof(EventSamples).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The sample resource '{resource}' is missing from Herald.Contracts.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);

        // The files are indented for reading; what is sent is the canonical form.
        var canonical = CanonicalJson.Canonicalize(copy.GetBuffer().AsSpan(0, (int)copy.Length), name);
        return canonical.IsSuccess
            ? canonical.Utf8Json
            : throw new InvalidOperationException($"The sample resource '{resource}' is not valid: {canonical.Error.Message}");
    }
}
