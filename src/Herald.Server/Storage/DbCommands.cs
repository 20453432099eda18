using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Server.Storage;

/// <summary>
/// Plain ADO.NET for the hot paths (claims, outcomes, event inserts), where Dapper's per-row statements cost more than
/// the work: one prepared command reused per row on SQLite, one array-parameter statement per batch on PostgreSQL.
/// </summary>
internal static class DbCommands
{
    public static DbCommand Command(this DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Adds a parameter (null as DBNull) and returns it, so a reused command can set its value per row.</summary>
    public static DbParameter Parameter(this DbCommand command, string name, object? value = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static void Set(this DbParameter parameter, object? value) => parameter.Value = value ?? DBNull.Value;

    /// <summary>A PostgreSQL array parameter, typed so that nulls and empty arrays need no casts in the SQL.</summary>
    public static void Array<T>(this NpgsqlCommand command, string name, NpgsqlDbType elementType, T[] values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | elementType) { Value = values });
}
