namespace Herald.Core.Webhooks;

/// <summary>What webhook URLs may be. Bound from <c>Herald:Webhooks</c>; dev mode relaxes the defaults.</summary>
internal sealed class WebhookOptions
{
    public const string SectionName = "Herald:Webhooks";

    /// <summary>Refuse plain <c>http</c> URLs. Default: on, except in dev mode.</summary>
    public bool? RequireHttps { get; set; }
}
