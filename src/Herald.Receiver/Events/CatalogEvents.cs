using System.Text.Json.Serialization.Metadata;

namespace Herald.Receiver.Events;

/// <summary>Any <c>payment_intent.*</c> event; handle this type to receive all of them.</summary>
public abstract class PaymentIntentEvent : AccountWebhookEvent<PaymentIntent>
{
    private protected override JsonTypeInfo<PaymentIntent> TypeInfo => ReceiverJsonContext.Default.PaymentIntent;
}

/// <summary>Any <c>payment_attempt.*</c> event; handle this type to receive all of them.</summary>
public abstract class PaymentAttemptEvent : AccountWebhookEvent<PaymentAttempt>
{
    private protected override JsonTypeInfo<PaymentAttempt> TypeInfo => ReceiverJsonContext.Default.PaymentAttempt;
}

/// <summary>Any <c>payment_consent.*</c> event; handle this type to receive all of them.</summary>
public abstract class PaymentConsentEvent : AccountWebhookEvent<PaymentConsent>
{
    private protected override JsonTypeInfo<PaymentConsent> TypeInfo => ReceiverJsonContext.Default.PaymentConsent;
}

/// <summary>Any <c>customer.*</c> event; handle this type to receive all of them.</summary>
public abstract class CustomerEvent : AccountWebhookEvent<Customer>
{
    private protected override JsonTypeInfo<Customer> TypeInfo => ReceiverJsonContext.Default.Customer;
}

/// <summary>Any <c>refund.*</c> event; handle this type to receive all of them.</summary>
public abstract class RefundEvent : AccountWebhookEvent<Refund>
{
    private protected override JsonTypeInfo<Refund> TypeInfo => ReceiverJsonContext.Default.Refund;
}

/// <summary>Any <c>payment_method.*</c> event; handle this type to receive all of them.</summary>
public abstract class PaymentMethodEvent : AccountWebhookEvent<PaymentMethod>
{
    private protected override JsonTypeInfo<PaymentMethod> TypeInfo => ReceiverJsonContext.Default.PaymentMethod;
}

/// <summary>Any <c>dispute.*</c> event; handle this type to receive all of them.</summary>
public abstract class DisputeEvent : AccountWebhookEvent<Dispute>
{
    private protected override JsonTypeInfo<Dispute> TypeInfo => ReceiverJsonContext.Default.Dispute;
}

/// <summary><c>payment_intent.created</c>: A payment intent has been created.</summary>
public sealed class PaymentIntentCreated : PaymentIntentEvent
{
}

/// <summary><c>payment_intent.requires_payment_method</c>: This payment intent requires payment method to proceed.</summary>
public sealed class PaymentIntentRequiresPaymentMethod : PaymentIntentEvent
{
}

/// <summary><c>payment_intent.cancelled</c>: The payment intent has been cancelled.</summary>
public sealed class PaymentIntentCancelled : PaymentIntentEvent
{
}

/// <summary><c>payment_intent.succeeded</c>: A payment intent has been fulfilled.</summary>
public sealed class PaymentIntentSucceeded : PaymentIntentEvent
{
}

/// <summary><c>payment_intent.requires_capture</c>: Merchant capture is required to fulfil this payment intent.</summary>
public sealed class PaymentIntentRequiresCapture : PaymentIntentEvent
{
}

/// <summary><c>payment_intent.requires_customer_action</c>: Additional customer action is required to fulfil this payment intent.</summary>
public sealed class PaymentIntentRequiresCustomerAction : PaymentIntentEvent
{
}

/// <summary><c>payment_attempt.received</c>: This payment attempt has been received.</summary>
public sealed class PaymentAttemptReceived : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.authorized</c>: The payment attempt has been authorized and is waiting to be captured.</summary>
public sealed class PaymentAttemptAuthorized : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.authorization_failed</c>: The payment attempt has failed authorization.</summary>
public sealed class PaymentAttemptAuthorizationFailed : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.capture_requested</c>: The payment attempt has been requested for capture successfully and is therefore fulfilled.</summary>
public sealed class PaymentAttemptCaptureRequested : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.capture_failed</c>: The payment attempt has failed to capture and is therefore terminated.</summary>
public sealed class PaymentAttemptCaptureFailed : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.authentication_redirected</c>: The payment attempt has been redirected for authentication.</summary>
public sealed class PaymentAttemptAuthenticationRedirected : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.authentication_failed</c>: The payment attempt has failed to be authenticated.</summary>
public sealed class PaymentAttemptAuthenticationFailed : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.failed_to_process</c>: The payment attempt has failed to be processed.</summary>
public sealed class PaymentAttemptFailedToProcess : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.cancelled</c>: The payment attempt has been cancelled.</summary>
public sealed class PaymentAttemptCancelled : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.expired</c>: This payment attempt has expired.</summary>
public sealed class PaymentAttemptExpired : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.risk_declined</c>: The payment attempt has failed to pass the risk screen.</summary>
public sealed class PaymentAttemptRiskDeclined : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.settled</c>: This payment attempt's fund has been received by Airwallex from the acquirer.</summary>
public sealed class PaymentAttemptSettled : PaymentAttemptEvent
{
}

/// <summary><c>payment_attempt.paid</c>: This payment attempt's fund has been paid to the merchant's wallet successfully.</summary>
public sealed class PaymentAttemptPaid : PaymentAttemptEvent
{
}

/// <summary><c>payment_consent.created</c>: The payment consent has been created.</summary>
public sealed class PaymentConsentCreated : PaymentConsentEvent
{
}

/// <summary><c>payment_consent.verified</c>: The payment consent has been verified.</summary>
public sealed class PaymentConsentVerified : PaymentConsentEvent
{
}

/// <summary><c>payment_consent.updated</c>: The payment consent has been updated.</summary>
public sealed class PaymentConsentUpdated : PaymentConsentEvent
{
}

/// <summary><c>payment_consent.disabled</c>: The payment consent has been disabled, the PaymentConsent cannot be used or updated.</summary>
public sealed class PaymentConsentDisabled : PaymentConsentEvent
{
}

/// <summary><c>customer.created</c>: A customer has been created.</summary>
public sealed class CustomerCreated : CustomerEvent
{
}

/// <summary><c>customer.updated</c>: The customer has been updated.</summary>
public sealed class CustomerUpdated : CustomerEvent
{
}

/// <summary><c>refund.received</c>: This refund request has been received and will be processed later.</summary>
public sealed class RefundReceived : RefundEvent
{
}

/// <summary><c>refund.succeeded</c>: This refund has been fulfilled successfully.</summary>
public sealed class RefundSucceeded : RefundEvent
{
}

/// <summary><c>refund.failed</c>: This refund has failed.</summary>
public sealed class RefundFailed : RefundEvent
{
}

/// <summary><c>payment_method.created</c>: This payment method has been created.</summary>
public sealed class PaymentMethodCreated : PaymentMethodEvent
{
}

/// <summary><c>payment_method.updated</c>: This payment method has been updated.</summary>
public sealed class PaymentMethodUpdated : PaymentMethodEvent
{
}

/// <summary><c>payment_method.attached</c>: This payment method has been attached to a customer.</summary>
public sealed class PaymentMethodAttached : PaymentMethodEvent
{
}

/// <summary><c>payment_method.detached</c>: This payment method has been detached from a customer.</summary>
public sealed class PaymentMethodDetached : PaymentMethodEvent
{
}

/// <summary><c>payment_method.disabled</c>: This payment method has been disabled.</summary>
public sealed class PaymentMethodDisabled : PaymentMethodEvent
{
}

/// <summary><c>dispute.rfi_received_by_merchant</c>: Received RFI from acquirer.</summary>
public sealed class DisputeRfiReceivedByMerchant : DisputeEvent
{
}

/// <summary><c>dispute.rfi_responded_by_merchant</c>: Merchant responded to RFI.</summary>
public sealed class DisputeRfiRespondedByMerchant : DisputeEvent
{
}

/// <summary><c>dispute.accepted</c>: Merchant accepted the dispute.</summary>
public sealed class DisputeAccepted : DisputeEvent
{
}

/// <summary><c>dispute.dispute_received_by_merchant</c>: Acquirer required merchant to provide evidence for dispute stage.</summary>
public sealed class DisputeDisputeReceivedByMerchant : DisputeEvent
{
}

/// <summary><c>dispute.dispute_responded_by_merchant</c>: Merchant provided evidence for dispute stage.</summary>
public sealed class DisputeDisputeRespondedByMerchant : DisputeEvent
{
}

/// <summary><c>dispute.won</c>: Merchant won the dispute (final result).</summary>
public sealed class DisputeWon : DisputeEvent
{
}

/// <summary><c>dispute.lost</c>: Merchant lost the dispute (final result).</summary>
public sealed class DisputeLost : DisputeEvent
{
}

/// <summary><c>dispute.dispute_reversed</c>: Dispute is reversed.</summary>
public sealed class DisputeDisputeReversed : DisputeEvent
{
}
