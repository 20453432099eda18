using System.Collections.Frozen;

namespace Herald.Contracts.Events;

/// <summary>One event type of the catalog.</summary>
/// <param name="Name">The event name, for example <c>payment_intent.succeeded</c>.</param>
/// <param name="Description">What happened, as the Airwallex documentation words it.</param>
public sealed record EventType(string Name, string Description)
{
    /// <summary>The resource part of the name, for example <c>payment_intent</c>.</summary>
    public string Resource => Name[..Name.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>Whether Herald emits this event itself at partner-app level (it cannot be published by hand).</summary>
    public bool IsPartnerLevel => Resource == "partner_connection";
}

/// <summary>The closed catalog of event names Herald accepts and Airwallex sends.</summary>
public static class EventCatalog
{
    /// <summary>The one partner-level event: all connections between an account or organization and an app ended.</summary>
    public const string PartnerConnectionDisconnected = "partner_connection.disconnected";

    /// <summary>Every event type, in the order of the Airwallex documentation.</summary>
    public static IReadOnlyList<EventType> All { get; } =
    [
        new("payment_intent.created", "A payment intent has been created."),
        new("payment_intent.requires_payment_method", "This payment intent requires payment method to proceed."),
        new("payment_intent.cancelled", "The payment intent has been cancelled."),
        new("payment_intent.succeeded", "A payment intent has been fulfilled."),
        new("payment_intent.requires_capture", "Merchant capture is required to fulfil this payment intent."),
        new("payment_intent.requires_customer_action", "Additional customer action is required to fulfil this payment intent."),
        new("payment_attempt.received", "This payment attempt has been received."),
        new("payment_attempt.authorized", "The payment attempt has been authorized and is waiting to be captured."),
        new("payment_attempt.authorization_failed", "The payment attempt has failed authorization."),
        new("payment_attempt.capture_requested", "The payment attempt has been requested for capture successfully and is therefore fulfilled."),
        new("payment_attempt.capture_failed", "The payment attempt has failed to capture and is therefore terminated."),
        new("payment_attempt.authentication_redirected", "The payment attempt has been redirected for authentication."),
        new("payment_attempt.authentication_failed", "The payment attempt has failed to be authenticated."),
        new("payment_attempt.failed_to_process", "The payment attempt has failed to be processed."),
        new("payment_attempt.cancelled", "The payment attempt has been cancelled."),
        new("payment_attempt.expired", "This payment attempt has expired."),
        new("payment_attempt.risk_declined", "The payment attempt has failed to pass the risk screen"),
        new("payment_attempt.settled", "This payment attempt's fund has been received by Airwallex from the acquirer."),
        new("payment_attempt.paid", "This payment attempt's fund has been paid to the merchant's wallet successfully."),
        new("payment_consent.created", "The payment consent has been created"),
        new("payment_consent.verified", "The payment consent has been verified"),
        new("payment_consent.updated", "The payment consent has been updated"),
        new("payment_consent.disabled", "The payment consent has been disabled, the PaymentConsent cannot be used or updated"),
        new("customer.created", "A customer has been created."),
        new("customer.updated", "The customer has been updated."),
        new("refund.received", "This refund request has been received and will be processed later."),
        new("refund.succeeded", "This refund has been fulfilled successfully."),
        new("refund.failed", "This refund has failed."),
        new("payment_method.created", "This payment method has been created."),
        new("payment_method.updated", "This payment method has been updated."),
        new("payment_method.attached", "This payment method has been attached to a customer."),
        new("payment_method.detached", "This payment method has been detached from a customer."),
        new("payment_method.disabled", "This payment method has been disabled."),
        new("dispute.rfi_received_by_merchant", "Received RFI from acquirer."),
        new("dispute.rfi_responded_by_merchant", "Merchant responded to RFI."),
        new("dispute.accepted", "Merchant accepted the dispute."),
        new("dispute.dispute_received_by_merchant", "Acquirer required merchant to provide evidence for dispute stage."),
        new("dispute.dispute_responded_by_merchant", "Merchant provided evidence for dispute stage."),
        new("dispute.won", "Merchant won the dispute (final result)."),
        new("dispute.lost", "Merchant lost the dispute (final result)."),
        new("dispute.dispute_reversed", "Dispute is reversed"),
        new(PartnerConnectionDisconnected, "All connections between an Airwallex account or organization and a partner application are disconnected."),
    ];

    private static readonly FrozenDictionary<string, EventType> ByName =
        All.ToFrozenDictionary(type => type.Name, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> is a catalog event name (exact, case-sensitive).</summary>
    /// <param name="name">The name to check.</param>
    /// <returns><see langword="true"/> for catalog names.</returns>
    public static bool Contains(string? name) => name is not null && ByName.ContainsKey(name);

    /// <summary>Looks up an event type by name.</summary>
    /// <param name="name">The event name.</param>
    /// <param name="type">The event type when found.</param>
    /// <returns>Whether the name is in the catalog.</returns>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EventType? type) =>
        ByName.TryGetValue(name, out type);
}
