namespace Herald.Core.Webhooks;

/// <summary>What webhook URLs may be. Bound from <c>Herald:Webhooks</c>; dev mode relaxes the defaults.</summary>
internal sealed class WebhookOptions
{
    public const string SectionName = "Herald:Webhooks";

    /// <summary>Refuse plain <c>http</c> URLs. Default: on, except in dev mode.</summary>
    public bool? RequireHttps { get; set; }

    /// <summary>Most webhooks (not deleted) one account or partner app may have; creating one more is a 400. Default 100.</summary>
    public int MaxWebhooksPerOwner { get; set; } = 100;
}
