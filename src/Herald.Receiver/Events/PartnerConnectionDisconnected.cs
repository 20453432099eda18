using System.Text.Json;

namespace Herald.Receiver.Events;

/// <summary>
/// <c>partner_connection.disconnected</c>: every connection between the listed accounts (and the organization,
/// when <see cref="OrgId"/> is set) and your partner application ended. Mark all of them inactive.
/// </summary>
/// <remarks>
/// The three fields are read from the raw body on first access of any of them; a <c>data</c> that is not valid JSON
/// throws <see cref="FormatException"/> there.
/// </remarks>
public sealed class PartnerConnectionDisconnected : WebhookEvent
{
    // Published once by reference, like the base class's data view.
    private Fields? _fields;

    /// <summary>Every account that was disconnected (one action may disconnect several).</summary>
    /// <exception cref="FormatException">The <c>data</c> member is not valid JSON.</exception>
    public IReadOnlyList<string> AccountIds => ReadFields().AccountIds;

    /// <summary>The organization, when the disconnection involved one; <see langword="null"/> when absent, null or empty.</summary>
    /// <exception cref="FormatException">The <c>data</c> member is not valid JSON.</exception>
    public string? OrgId => ReadFields().OrgId;

    /// <summary>Why the disconnection happened; <c>user_initiated</c> today, an open set.</summary>
    /// <exception cref="FormatException">The <c>data</c> member is not valid JSON.</exception>
    public string? Reason => ReadFields().Reason;

    internal override void Materialize()
    {
        base.Materialize();
        _ = ReadFields();
    }

    private Fields ReadFields() => _fields ?? Interlocked.CompareExchange(ref _fields, Fields.Read(View.Resource), null) ?? _fields;

    private sealed record Fields(IReadOnlyList<string> AccountIds, string? OrgId, string? Reason)
    {
        /// <summary>Reads <c>data.object</c> (or <c>data</c>); undefined gives an empty list and nulls.</summary>
        public static Fields Read(JsonElement source)
        {
            IReadOnlyList<string> accountIds = [];
            if (source.ValueKind == JsonValueKind.Object
                && (source.TryGetProperty("account_ids", out var ids) || source.TryGetProperty("accountIds", out ids))
                && ids.ValueKind == JsonValueKind.Array)
            {
                var list = new List<string>(ids.GetArrayLength());
                foreach (var item in ids.EnumerateArray())
                {
                    string? id;
                    try
                    {
                        id = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                    }
                    catch (InvalidOperationException exception)
                    {
                        throw JsonRead.NotText("account_ids", exception);
                    }

                    if (id is { Length: > 0 })
                    {
                        list.Add(id);
                    }
                }

                accountIds = list;
            }

            return new Fields(accountIds, JsonRead.String(source, "org_id", "orgId"), JsonRead.String(source, "reason"));
        }
    }
}
