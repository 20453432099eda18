using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Herald.Architecture.Tests;

/// <summary>
/// Which parts of an assembly use which, read from its IL with Mono.Cecil. A part is a top-level folder of a project
/// (<c>Herald.Core.Events</c>, <c>Herald.Server.Api</c>): the first three segments of a <c>Herald.*</c> namespace.
/// Signatures, attributes and method bodies all count; nested and compiler-generated types count for their outer type.
/// </summary>
public sealed class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph()
    {
    }

    /// <summary>Part → parts it uses, each with one type that shows the use (for the failure message).</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Edges => _edges;

    public static NamespaceGraph Read(params string[] assemblyPaths)
    {
        var graph = new NamespaceGraph();
        foreach (var path in assemblyPaths)
        {
            using var module = ModuleDefinition.ReadModule(path);
            foreach (var type in module.GetTypes())
            {
                var from = PartOf(type);
                if (from is null)
                {
                    continue;
                }

                foreach (var used in UsedTypes(type))
                {
                    if (PartOf(used) is { } to && to != from)
                    {
                        var edges = graph._edges.TryGetValue(from, out var existing) ? existing : graph._edges[from] = new(StringComparer.Ordinal);
                        edges.TryAdd(to, $"{Outermost(type).FullName} uses {used.FullName}");
                    }
                }
            }
        }

        return graph;
    }

    /// <summary>Groups of parts that use each other in a circle (strongly connected components larger than one).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = 0;
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLinks = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<IReadOnlyList<string>>();
        var nodes = _edges.Keys.Concat(_edges.Values.SelectMany(e => e.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        void Visit(string node)
        {
            indexes[node] = lowLinks[node] = index++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in _edges.TryGetValue(node, out var edges) ? [.. edges.Keys] : Array.Empty<string>())
            {
                if (!indexes.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    lowLinks[node] = Math.Min(lowLinks[node], lowLinks[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLinks[node] = Math.Min(lowLinks[node], nextIndex);
                }
            }

            if (lowLinks[node] == indexes[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    cycles.Add(component.Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        foreach (var node in nodes.Where(n => !indexes.ContainsKey(n)))
        {
            Visit(node);
        }

        return cycles;
    }

    /// <summary>The edges inside a cycle, each with its example, to say what to move.</summary>
    public IEnumerable<string> Explain(IReadOnlyList<string> cycle) =>
        from part in cycle
        where _edges.ContainsKey(part)
        from edge in _edges[part]
        where cycle.Contains(edge.Key)
        select $"{part} → {edge.Key} ({edge.Value})";

    private static string? PartOf(TypeReference type)
    {
        var ns = Outermost(type).Namespace;
        if (!ns.StartsWith("Herald.", StringComparison.Ordinal))
        {
            return null;
        }

        var segments = ns.Split('.');
        return string.Join('.', segments.Take(3));
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static List<TypeReference> UsedTypes(TypeDefinition type)
    {
        var found = new List<TypeReference>();

        void Add(TypeReference? reference)
        {
            switch (reference)
            {
                case null:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Add(argument);
                    }

                    return;
                case TypeSpecification specification:
                    Add(specification.ElementType);
                    return;
                case GenericParameter:
                    return;
                default:
                    found.Add(reference);
                    return;
            }
        }

        void AddAttributes(ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
            }
        }

        void AddMethod(MethodReference method)
        {
            Add(method.DeclaringType);
            Add(method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
            }

            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        AddAttributes(type);
        foreach (var implemented in type.Interfaces)
        {
            Add(implemented.InterfaceType);
        }

        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }

        foreach (var method in type.Methods)
        {
            AddMethod(method);
            AddAttributes(method);
            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                Add(variable.VariableType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference reference:
                        Add(reference);
                        break;
                    case MethodReference reference:
                        AddMethod(reference);
                        break;
                    case FieldReference reference:
                        Add(reference.DeclaringType);
                        Add(reference.FieldType);
                        break;
                }
            }
        }

        return found;
    }
}
