using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Herald.Receiver.Events;

/// <summary>An account-level event about a resource of type <typeparamref name="TObject"/>.</summary>
/// <typeparam name="TObject">The resource type (<see cref="PaymentIntent"/>, <see cref="Refund"/>…).</typeparam>
/// <remarks>
/// <see cref="ObjectJson"/>, <see cref="Object"/> and <see cref="Error"/> are read from the raw body on first access
/// (parsing the envelope stays close to the cost of verifying it): a <c>data</c> that is not valid JSON, or a
/// resource whose fields have the wrong JSON types, throws <see cref="FormatException"/> there. Events handed to
/// <see cref="IWebhookHandler{TEvent}"/> are already fully read.
/// </remarks>
public abstract class AccountWebhookEvent<TObject> : WebhookEvent
    where TObject : WebhookResource, new()
{
    private TObject? _object;
    private WebhookError? _error;
    private bool _errorRead;

    /// <summary>The resource (<c>data.object</c>, or <c>data</c> itself when it has no <c>object</c> member).</summary>
    /// <exception cref="FormatException">The resource JSON does not have the expected shape.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Mirrors data.object of the wire contract, as Stripe.net does.")]
    public TObject Object => _object ??= ReadObject();

    /// <summary>The resource JSON exactly as received (undefined when absent).</summary>
    /// <exception cref="FormatException">The <c>data</c> member is not valid JSON.</exception>
    public JsonElement ObjectJson => View.Resource;

    /// <summary>The error (<c>data.error</c>), present when the operation failed.</summary>
    /// <exception cref="FormatException">The <c>data</c> member is not valid JSON.</exception>
    public WebhookError? Error
    {
        get
        {
            if (!_errorRead)
            {
                _error = Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                    ? WebhookError.Read(error)
                    : null;
                _errorRead = true;
            }

            return _error;
        }
    }

    /// <inheritdoc />
    public override string? ObjectId => JsonRead.String(ObjectJson, "id");

    private protected abstract JsonTypeInfo<TObject> TypeInfo { get; }

    internal override void Materialize()
    {
        base.Materialize();
        _ = Object;
        _ = Error;
        _ = ObjectId;
    }

    private TObject ReadObject()
    {
        var json = ObjectJson;
        if (json.ValueKind != JsonValueKind.Object)
        {
            return new TObject();
        }

        try
        {
            return json.Deserialize(TypeInfo) ?? new TObject();
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid Unicode (invalid UTF-8, an escaped lone surrogate).
            throw new FormatException($"The data.object of '{Name}' event '{Id}' does not have the expected shape: {exception.Message}", exception);
        }
    }
}
