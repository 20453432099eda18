using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>
/// How the server runs. Bound from the <c>Herald</c> section; the features' own settings live in its subsections
/// (<c>Herald:Api</c>, <c>Herald:Events</c>, <c>Herald:Webhooks</c>, <c>Herald:Delivery</c>, <c>Herald:Storage</c>).
/// </summary>
internal sealed class HeraldServerOptions
{
    public const string SectionName = "Herald";

    /// <summary>Development mode (<c>--dev</c>): allows http and loopback webhook URLs and makes an admin key when none is set. Default off.</summary>
    public bool Dev { get; set; }

    /// <summary>Folder for the SQLite database and the dev admin key (<c>--data</c>). Default <c>./herald-data</c>, created if missing.</summary>
    public string DataPath { get; set; } = "./herald-data";

    /// <summary>The operator's admin key (also read from <c>HERALD_ADMIN_KEY</c>); at least 16 characters. Required outside dev mode.</summary>
    public string? AdminKey { get; set; }
}

internal sealed class HeraldServerOptionsValidator : IValidateOptions<HeraldServerOptions>
{
    public ValidateOptionsResult Validate(string? name, HeraldServerOptions options) =>
        string.IsNullOrWhiteSpace(options.DataPath)
            ? ValidateOptionsResult.Fail("Herald:DataPath must name a folder (--data).")
            : ValidateOptionsResult.Success;
}
