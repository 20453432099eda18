using System.Text.Json;

namespace Herald.Testing;

/// <summary>One case of <c>signature-vectors.json</c>.</summary>
public sealed record SignatureVector(string Name, string Secret, string Timestamp, string Body, string Signature, bool IsValid)
{
    public override string ToString() => Name;
}

/// <summary>
/// Loads the contract's signature vectors: the shared spec copy when it sits beside the checkout,
/// otherwise the copy committed under <c>test/TestData</c>.
/// </summary>
public static class SignatureVectors
{
    private static readonly Lazy<IReadOnlyList<SignatureVector>> Loaded = new(Load);

    public static IReadOnlyList<SignatureVector> All => Loaded.Value;

    public static IEnumerable<SignatureVector> Valid => All.Where(v => v.IsValid);

    public static IEnumerable<SignatureVector> Invalid => All.Where(v => !v.IsValid);

    public static string? SharedSpecPath
    {
        get
        {
            var path = Path.Combine(RepositoryPaths.Root, "..", "shared", "spec", "signature-vectors.json");
            return File.Exists(path) ? Path.GetFullPath(path) : null;
        }
    }

    public static string CommittedCopyPath => Path.Combine(AppContext.BaseDirectory, "TestData", "signature-vectors.json");

    private static List<SignatureVector> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(SharedSpecPath ?? CommittedCopyPath));
        var vectors = new List<SignatureVector>();
        foreach (var (property, valid) in new[] { ("valid", true), ("invalid", false) })
        {
            foreach (var item in document.RootElement.GetProperty(property).EnumerateArray())
            {
                vectors.Add(new SignatureVector(
                    item.GetProperty("name").GetString()!,
                    item.GetProperty("secret").GetString()!,
                    item.GetProperty("x_timestamp").GetString()!,
                    item.GetProperty("body").GetString()!,
                    item.GetProperty("x_signature").GetString()!,
                    valid));
            }
        }

        return vectors;
    }
}
