using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Receiver.Events;

/// <summary>
/// The common part of the resources in <c>data.object</c>. Only the fields most integrations need are typed;
/// everything else stays available in <see cref="AdditionalProperties"/> and in the event's <c>ObjectJson</c>.
/// Timestamps inside resources are kept as the text received.
/// </summary>
public abstract class WebhookResource
{
    /// <summary>The resource id.</summary>
    public string? Id { get; init; }

    /// <summary>The resource status, for example <c>SUCCEEDED</c>, when it has one.</summary>
    public string? Status { get; init; }

    /// <summary>When the resource was created, as received.</summary>
    public string? CreatedAt { get; init; }

    /// <summary>When the resource was last updated, as received.</summary>
    public string? UpdatedAt { get; init; }

    /// <summary>Every member not mapped to a property.</summary>
    [JsonExtensionData]
    [JsonInclude]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; internal set; }
}

/// <summary>A payment intent (<c>payment_intent.*</c> events).</summary>
public sealed class PaymentIntent : WebhookResource
{
    /// <summary>The amount to collect.</summary>
    public decimal? Amount { get; init; }

    /// <summary>The ISO 4217 currency.</summary>
    public string? Currency { get; init; }

    /// <summary>The amount captured so far.</summary>
    public decimal? CapturedAmount { get; init; }

    /// <summary>Your order reference.</summary>
    public string? MerchantOrderId { get; init; }

    /// <summary>Your idempotency key for the create request.</summary>
    public string? RequestId { get; init; }

    /// <summary>The customer, when one was attached.</summary>
    public string? CustomerId { get; init; }

    /// <summary>The payment consent, when one was used.</summary>
    public string? PaymentConsentId { get; init; }

    /// <summary>Why the intent was cancelled.</summary>
    public string? CancellationReason { get; init; }

    /// <summary>The descriptor shown on statements.</summary>
    public string? Descriptor { get; init; }

    /// <summary>The most recent payment attempt, as received.</summary>
    public JsonElement? LatestPaymentAttempt { get; init; }

    /// <summary>Your metadata.</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>A payment attempt (<c>payment_attempt.*</c> events).</summary>
public sealed class PaymentAttempt : WebhookResource
{
    /// <summary>The attempted amount.</summary>
    public decimal? Amount { get; init; }

    /// <summary>The ISO 4217 currency.</summary>
    public string? Currency { get; init; }

    /// <summary>The amount captured.</summary>
    public decimal? CapturedAmount { get; init; }

    /// <summary>The amount refunded.</summary>
    public decimal? RefundedAmount { get; init; }

    /// <summary>The payment intent this attempt belongs to.</summary>
    public string? PaymentIntentId { get; init; }

    /// <summary>Your order reference.</summary>
    public string? MerchantOrderId { get; init; }

    /// <summary>The provider's authorization code.</summary>
    public string? AuthorizationCode { get; init; }

    /// <summary>The payment method used, as received.</summary>
    public JsonElement? PaymentMethod { get; init; }
}

/// <summary>A payment consent (<c>payment_consent.*</c> events).</summary>
public sealed class PaymentConsent : WebhookResource
{
    /// <summary>The customer the consent belongs to.</summary>
    public string? CustomerId { get; init; }

    /// <summary>Who triggers later payments: <c>merchant</c> or <c>customer</c>.</summary>
    public string? NextTriggeredBy { get; init; }

    /// <summary>Why the merchant triggers payments, for example <c>scheduled</c>.</summary>
    public string? MerchantTriggerReason { get; init; }

    /// <summary>The payment method, as received.</summary>
    public JsonElement? PaymentMethod { get; init; }

    /// <summary>Your metadata.</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>A customer (<c>customer.*</c> events).</summary>
public sealed class Customer : WebhookResource
{
    /// <summary>Your customer reference.</summary>
    public string? MerchantCustomerId { get; init; }

    /// <summary>Your idempotency key for the create request.</summary>
    public string? RequestId { get; init; }

    /// <summary>The first name.</summary>
    public string? FirstName { get; init; }

    /// <summary>The last name.</summary>
    public string? LastName { get; init; }

    /// <summary>The email address.</summary>
    public string? Email { get; init; }

    /// <summary>The phone number.</summary>
    public string? PhoneNumber { get; init; }

    /// <summary>Your metadata.</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>A refund (<c>refund.*</c> events).</summary>
public sealed class Refund : WebhookResource
{
    /// <summary>The refunded amount.</summary>
    public decimal? Amount { get; init; }

    /// <summary>The ISO 4217 currency.</summary>
    public string? Currency { get; init; }

    /// <summary>The payment intent refunded.</summary>
    public string? PaymentIntentId { get; init; }

    /// <summary>The payment attempt refunded.</summary>
    public string? PaymentAttemptId { get; init; }

    /// <summary>Your idempotency key for the refund request.</summary>
    public string? RequestId { get; init; }

    /// <summary>The reason given.</summary>
    public string? Reason { get; init; }

    /// <summary>Your metadata.</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>A payment method (<c>payment_method.*</c> events).</summary>
public sealed class PaymentMethod : WebhookResource
{
    /// <summary>The method type, for example <c>card</c>.</summary>
    public string? Type { get; init; }

    /// <summary>The customer the method is attached to.</summary>
    public string? CustomerId { get; init; }

    /// <summary>Card details (never the full number), as received.</summary>
    public JsonElement? Card { get; init; }

    /// <summary>Your metadata.</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>A dispute (<c>dispute.*</c> events).</summary>
public sealed class Dispute : WebhookResource
{
    /// <summary>The disputed amount.</summary>
    public decimal? Amount { get; init; }

    /// <summary>The ISO 4217 currency.</summary>
    public string? Currency { get; init; }

    /// <summary>The dispute stage, for example <c>CHARGEBACK</c> or <c>RFI</c>.</summary>
    public string? Stage { get; init; }

    /// <summary>The payment intent disputed.</summary>
    public string? PaymentIntentId { get; init; }

    /// <summary>The payment attempt disputed.</summary>
    public string? PaymentAttemptId { get; init; }

    /// <summary>Your order reference.</summary>
    public string? MerchantOrderId { get; init; }

    /// <summary>The reason, as received (a code or an object, depending on the sender).</summary>
    public JsonElement? Reason { get; init; }

    /// <summary>When evidence is due, as received.</summary>
    public string? DueAt { get; init; }
}
