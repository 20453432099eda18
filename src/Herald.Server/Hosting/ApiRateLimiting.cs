using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Herald.Core.Tenants;
using Herald.Server.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>
/// Per-key request rates on the API (<c>/api</c>, <c>/partner-api</c>), bound from <c>Herald:RateLimits</c>. Each key
/// (or partner app credential) has its own token bucket, identified by a hash of the key; requests without a valid key
/// share one bucket per client address. Over the rate: <c>429 rate_limited</c> with <c>Retry-After</c>.
/// </summary>
internal sealed class RateLimitOptions
{
    public const string SectionName = "Herald:RateLimits";

    /// <summary>Apply the limits. Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second for each account, organization or partner app key. Default 500.</summary>
    public int TenantPermitsPerSecond { get; set; } = 500;

    /// <summary>Requests an account, organization or partner app key may send at once before the rate applies. Default 1000.</summary>
    public int TenantBurst { get; set; } = 1000;

    /// <summary>Sustained requests per second for the admin key (event publishing goes through it). Default 20000.</summary>
    public int AdminPermitsPerSecond { get; set; } = 20_000;

    /// <summary>Admin key burst. Default 40000.</summary>
    public int AdminBurst { get; set; } = 40_000;

    /// <summary>
    /// Sustained requests per second per client address without a valid key (the event catalog, failed authentication).
    /// Behind a reverse proxy every client shares the proxy's address, so this is a flood guard, not a per-client quota. Default 200.
    /// </summary>
    public int AnonymousPermitsPerSecond { get; set; } = 200;

    /// <summary>Burst per client address without a valid key. Default 400.</summary>
    public int AnonymousBurst { get; set; } = 400;
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options) =>
        new[] { options.TenantPermitsPerSecond, options.TenantBurst, options.AdminPermitsPerSecond, options.AdminBurst, options.AnonymousPermitsPerSecond, options.AnonymousBurst }.Any(v => v < 1)
            ? ValidateOptionsResult.Fail("Herald:RateLimits permits and bursts must be at least 1.")
            : ValidateOptionsResult.Success;
}

internal static class ApiRateLimiting
{
    public static IServiceCollection AddHeraldRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, configured) =>
        {
            var limits = configured.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, limits));

            // The error middleware writes the body (rate_limited) once the limiter has set the status and Retry-After.
            limiter.OnRejected = (rejected, _) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions limits)
    {
        var path = context.Request.Path;
        if (!limits.Enabled || !(path.StartsWithSegments(Api.ApiRoutes.AccountApi) || path.StartsWithSegments(Api.ApiRoutes.PartnerApi)))
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        var kind = context.User.FindFirst(CallerPrincipal.KindClaim)?.Value;
        if (kind is null)
        {
            var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            return Bucket("anon:" + address, limits.AnonymousPermitsPerSecond, limits.AnonymousBurst);
        }

        // The bucket is the key's: a hash of the credential, so keys are never held in the limiter's table.
        var credential = SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()));
        var partition = "key:" + Convert.ToHexString(credential, 0, 16);
        return kind == nameof(CallerKind.Admin)
            ? Bucket(partition, limits.AdminPermitsPerSecond, limits.AdminBurst)
            : Bucket(partition, limits.TenantPermitsPerSecond, limits.TenantBurst);
    }

    private static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
