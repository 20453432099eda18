using System.Reflection;
using Dapper;
using Herald.Core.Accounts;
using Herald.Core.Deliveries;
using Herald.Core.Events;
using Herald.Core.Partners;

namespace Herald.Server.Storage;

/// <summary>
/// Maps snake_case columns onto the properties of the types the stores read, type by type. Dapper's process-wide
/// <c>MatchNamesWithUnderscores</c> switch would change how every other Dapper user in the process maps; this does not.
/// </summary>
internal static class SnakeCaseTypeMaps
{
    private static readonly Type[] Types =
    [
        typeof(Organization), typeof(Account), typeof(ApiKey), typeof(StoredEvent), typeof(Delivery), typeof(DeliveryAttempt),
        typeof(ClaimedDelivery), typeof(PartnerApp), typeof(PartnerConnection), typeof(WebhookRow),
    ];

    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        foreach (var type in Types)
        {
            // Dapper treats a null property as "not mapped", which is what an unknown column should be.
            SqlMapper.SetTypeMap(type, new CustomPropertyTypeMap(type, (owner, column) => FindProperty(owner, column)!));
        }
    }

    private static PropertyInfo? FindProperty(Type type, string column) =>
        type.GetProperty(ToPascalCase(column), BindingFlags.Public | BindingFlags.Instance);

    private static string ToPascalCase(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
