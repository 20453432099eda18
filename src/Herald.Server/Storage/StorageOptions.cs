using Microsoft.Extensions.Options;

namespace Herald.Server.Storage;

/// <summary>Where Herald keeps its state. Bound from <c>Herald:Storage</c>.</summary>
internal sealed class StorageOptions
{
    public const string SectionName = "Herald:Storage";

    /// <summary><c>sqlite</c> (default: a file in the data folder, nothing to install) or <c>postgres</c> (production, several nodes).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>SQLite: overrides the file in the data folder. PostgreSQL: required (<c>Host=…;Username=…;Password=…;Database=…</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>SQLite <c>synchronous</c> pragma: <c>FULL</c> (default: a 201 survives power loss) or <c>NORMAL</c> (survives process crashes only, faster).</summary>
    public string SqliteSynchronous { get; set; } = "FULL";

    /// <summary>The folder of the SQLite file (<c>herald.db</c>); the server sets it from <c>Herald:DataPath</c> (<c>--data</c>).</summary>
    public string DataFolder { get; set; } = "./herald-data";

    public bool IsPostgres => Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase) || Provider.Equals("postgresql", StringComparison.OrdinalIgnoreCase);
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (!options.IsPostgres && !options.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Fail($"Herald:Storage:Provider '{options.Provider}' is not supported; use 'sqlite' or 'postgres'.");
        }

        if (options.IsPostgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail("Herald:Storage:ConnectionString is required with the postgres provider, e.g. Host=db;Username=herald;Password=…;Database=herald.");
        }

        if (!options.SqliteSynchronous.Equals("FULL", StringComparison.OrdinalIgnoreCase) && !options.SqliteSynchronous.Equals("NORMAL", StringComparison.OrdinalIgnoreCase))
        {
            return ValidateOptionsResult.Fail("Herald:Storage:SqliteSynchronous must be FULL or NORMAL.");
        }

        return ValidateOptionsResult.Success;
    }
}
