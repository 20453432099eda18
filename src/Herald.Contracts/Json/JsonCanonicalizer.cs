using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Herald.Contracts.Json;

/// <summary>
/// The engine behind <see cref="CanonicalJson"/>: one pass of <see cref="Utf8JsonReader"/> writing canonical bytes
/// into a reusable buffer. Objects are written as read; only an object holding array-index keys is reordered,
/// in place, when it closes. One instance per thread is kept so a call allocates nothing but its result.
/// </summary>
internal sealed class JsonCanonicalizer
{
    // Buffers that grew beyond this for one large input are dropped rather than kept for the thread's lifetime.
    private const int RetainedBufferBytes = 256 * 1024;
    private const int InitialBufferBytes = 4096;
    private const int InitialMembers = 64;

    // Objects with more members than this are checked for duplicate keys with a hash table instead of pairwise.
    private const int PairwiseDuplicateCheckLimit = 8;

    // Error paths quote at most this many bytes of a key, so a hostile key cannot make a huge error response.
    private const int MaxKeyBytesInPath = 128;

    [ThreadStatic]
    private static JsonCanonicalizer? _threadInstance;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        // One more than ours, so our own check (with the path) always fires first.
        MaxDepth = CanonicalJson.MaxDepth + 1,
    };

    private readonly Frame[] _frames = new Frame[CanonicalJson.MaxDepth];
    private byte[] _buffer = new byte[InitialBufferBytes];
    private int _length;
    private int _depth;
    private Member[] _members = new Member[InitialMembers];
    private int[] _slots = new int[InitialMembers * 2];
    private int _memberCount;
    private string _rootPath = string.Empty;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public static JsonCanonicalizer Rent()
    {
        var instance = _threadInstance ?? new JsonCanonicalizer();
        _threadInstance = null;
        return instance;
    }

    public static void Return(JsonCanonicalizer instance)
    {
        if (instance._buffer.Length > RetainedBufferBytes)
        {
            instance._buffer = new byte[InitialBufferBytes];
        }

        if (instance._members.Length > RetainedBufferBytes / 16)
        {
            instance._members = new Member[InitialMembers];
            instance._slots = new int[InitialMembers * 2];
        }

        instance._rootPath = string.Empty;
        _threadInstance = instance;
    }

    /// <summary>Canonicalizes <paramref name="json"/> into <see cref="Written"/>; returns the error, or null on success.</summary>
    public CanonicalJsonError? Run(ReadOnlySpan<byte> json, string? rootPath)
    {
        _length = 0;
        _depth = 0;
        _memberCount = 0;
        _rootPath = rootPath ?? string.Empty;
        if (json.Length > CanonicalJson.MaxInputBytes)
        {
            return Fail(CanonicalJsonErrorKind.TooLarge, _rootPath, $"is {json.Length} bytes; at most {CanonicalJson.MaxInputBytes} are accepted.");
        }

        EnsureCapacity(json.Length + 2);
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            while (reader.Read())
            {
                var error = reader.TokenType switch
                {
                    JsonTokenType.PropertyName => WriteProperty(ref reader),
                    JsonTokenType.EndObject => EndObject(),
                    JsonTokenType.EndArray => EndArray(),
                    _ => WriteValue(ref reader),
                };
                if (error is not null)
                {
                    return error;
                }
            }
        }
        catch (JsonException exception)
        {
            var line = (exception.LineNumber ?? 0) + 1;
            var column = (exception.BytePositionInLine ?? 0) + 1;
            var where = line == 1 ? $"byte {column}" : $"line {line}, byte {column}";
            return Fail(CanonicalJsonErrorKind.InvalidJson, BuildPath(_depth), $"is not valid JSON (at {where}).");
        }

        return null;
    }

    private CanonicalJsonError? WriteProperty(ref Utf8JsonReader reader)
    {
        ref var frame = ref _frames[_depth - 1];
        if (frame.Count > 0)
        {
            Append((byte)',');
        }

        var memberStart = _length;
        var raw = reader.ValueSpan;
        var kind = WriteString(raw, reader.ValueIsEscaped);
        if (kind != 0)
        {
            return Fail(kind, BuildPath(_depth - 1), StringProblem(kind, raw, propertyName: true));
        }

        var keyStart = memberStart + 1;
        var keyLength = _length - 1 - keyStart;
        Append((byte)':');
        var index = ArrayIndexOf(_buffer.AsSpan(keyStart, keyLength));
        frame.HasIndexKey |= index >= 0;
        frame.Count++;
        frame.KeyStart = keyStart;
        frame.KeyLength = keyLength;
        if (_memberCount == _members.Length)
        {
            Array.Resize(ref _members, _members.Length * 2);
        }

        _members[_memberCount++] = new Member(memberStart, keyStart, keyLength, index);
        return null;
    }

    private CanonicalJsonError? WriteValue(ref Utf8JsonReader reader)
    {
        if (_depth > 0)
        {
            ref var parent = ref _frames[_depth - 1];
            if (!parent.IsObject)
            {
                if (parent.Count > 0)
                {
                    Append((byte)',');
                }

                parent.Count++;
            }
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                if (_depth == CanonicalJson.MaxDepth)
                {
                    return Fail(CanonicalJsonErrorKind.TooDeep, BuildPath(_depth), $"nests objects and arrays deeper than {CanonicalJson.MaxDepth} levels.");
                }

                var isObject = reader.TokenType == JsonTokenType.StartObject;
                Append(isObject ? (byte)'{' : (byte)'[');
                _frames[_depth++] = new Frame { IsObject = isObject, ContentStart = _length, MembersStart = _memberCount };
                return null;
            case JsonTokenType.String:
                var raw = reader.ValueSpan;
                var kind = WriteString(raw, reader.ValueIsEscaped);
                return kind == 0 ? null : Fail(kind, BuildPath(_depth), StringProblem(kind, raw, propertyName: false));
            case JsonTokenType.Number:
                WriteNumber(reader.ValueSpan);
                return null;
            case JsonTokenType.True:
                AppendLiteral("true"u8);
                return null;
            case JsonTokenType.False:
                AppendLiteral("false"u8);
                return null;
            default:
                AppendLiteral("null"u8);
                return null;
        }
    }

    private CanonicalJsonError? EndArray()
    {
        Append((byte)']');
        _depth--;
        return null;
    }

    private CanonicalJsonError? EndObject()
    {
        var frame = _frames[_depth - 1];
        var members = _members.AsSpan(frame.MembersStart, _memberCount - frame.MembersStart);
        if (members.Length > 1 && FindDuplicate(frame.MembersStart, members.Length) is { } duplicate)
        {
            var key = _buffer.AsSpan(duplicate.KeyStart, duplicate.KeyLength);
            var path = AppendKey(new StringBuilder(BuildPath(_depth - 1)), key).ToString();
            return Fail(CanonicalJsonErrorKind.DuplicateKey, path, "appears twice in one object; JSON.parse would silently keep the last value, so Herald refuses the ambiguity. Send each key once.");
        }

        if (frame.HasIndexKey && members.Length > 1)
        {
            ReorderIndexKeysFirst(frame, members);
        }

        Append((byte)'}');
        _memberCount = frame.MembersStart;
        _depth--;
        return null;
    }

    private Member? FindDuplicate(int first, int count)
    {
        var members = _members.AsSpan(first, count);
        if (members.Length <= PairwiseDuplicateCheckLimit)
        {
            for (var i = 1; i < members.Length; i++)
            {
                var key = _buffer.AsSpan(members[i].KeyStart, members[i].KeyLength);
                for (var j = 0; j < i; j++)
                {
                    if (key.SequenceEqual(_buffer.AsSpan(members[j].KeyStart, members[j].KeyLength)))
                    {
                        return members[i];
                    }
                }
            }

            return null;
        }

        // Larger objects: open addressing over a per-process randomized hash (HashCode), so crafted keys cannot
        // make the check quadratic.
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)count * 2);
        if (_slots.Length < size)
        {
            _slots = new int[size];
        }

        var slots = _slots.AsSpan(0, size);
        slots.Clear();
        var mask = size - 1;
        for (var i = 0; i < members.Length; i++)
        {
            var key = _buffer.AsSpan(members[i].KeyStart, members[i].KeyLength);
            var hash = new HashCode();
            hash.AddBytes(key);
            var slot = hash.ToHashCode() & mask;
            while (slots[slot] != 0)
            {
                var other = members[slots[slot] - 1];
                if (key.SequenceEqual(_buffer.AsSpan(other.KeyStart, other.KeyLength)))
                {
                    return members[i];
                }

                slot = (slot + 1) & mask;
            }

            slots[slot] = i + 1;
        }

        return null;
    }

    /// <summary>
    /// Moves members whose keys are array indices to the front in ascending numeric order, the others keeping
    /// their order, as JavaScript's property enumeration does. The object's bytes keep their length.
    /// </summary>
    private void ReorderIndexKeysFirst(Frame frame, ReadOnlySpan<Member> members)
    {
        var contentLength = _length - frame.ContentStart;
        var copy = ArrayPool<byte>.Shared.Rent(contentLength);
        var order = ArrayPool<int>.Shared.Rent(members.Length);
        var indexValueBuffer = ArrayPool<long>.Shared.Rent(members.Length);
        try
        {
            _buffer.AsSpan(frame.ContentStart, contentLength).CopyTo(copy);
            var indexCount = 0;
            for (var i = 0; i < members.Length; i++)
            {
                if (members[i].ArrayIndex >= 0)
                {
                    order[indexCount++] = i;
                }
            }

            var indexKeys = order.AsSpan(0, indexCount);
            var indexValues = indexValueBuffer.AsSpan(0, indexCount);
            for (var i = 0; i < indexCount; i++)
            {
                indexValues[i] = members[indexKeys[i]].ArrayIndex;
            }

            indexValues.Sort(indexKeys);
            var next = indexCount;
            for (var i = 0; i < members.Length; i++)
            {
                if (members[i].ArrayIndex < 0)
                {
                    order[next++] = i;
                }
            }

            var position = frame.ContentStart;
            for (var i = 0; i < members.Length; i++)
            {
                var member = order[i];
                var start = members[member].Start - frame.ContentStart;
                var end = member + 1 < members.Length ? members[member + 1].Start - 1 - frame.ContentStart : contentLength;
                if (i > 0)
                {
                    _buffer[position++] = (byte)',';
                }

                copy.AsSpan(start, end - start).CopyTo(_buffer.AsSpan(position));
                position += end - start;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(indexValueBuffer);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// Writes a JSON string (raw content between the quotes) as JSON.stringify would write the parsed value.
    /// Returns 0 on success, otherwise the problem; the output never exceeds the raw length plus the quotes.
    /// </summary>
    private CanonicalJsonErrorKind WriteString(ReadOnlySpan<byte> raw, bool escaped)
    {
        // Escapes are ASCII, so the whole raw span is well-formed exactly when every literal run between them is.
        if (!Utf8.IsValid(raw))
        {
            return CanonicalJsonErrorKind.InvalidUtf8;
        }

        EnsureCapacity(raw.Length + 2);
        var output = _buffer.AsSpan(_length);
        output[0] = (byte)'"';
        var written = 1;
        if (!escaped)
        {
            // The reader refuses raw control characters and unescaped quotes, so literal text is already canonical.
            raw.CopyTo(output[1..]);
            written += raw.Length;
        }
        else
        {
            var i = 0;
            while (i < raw.Length)
            {
                var backslash = raw[i..].IndexOf((byte)'\\');
                if (backslash < 0)
                {
                    raw[i..].CopyTo(output[written..]);
                    written += raw.Length - i;
                    break;
                }

                raw.Slice(i, backslash).CopyTo(output[written..]);
                written += backslash;
                i += backslash;
                var escape = raw[i + 1];
                if (escape != (byte)'u')
                {
                    // \" \\ \b \f \n \r \t stay as they are; \/ becomes a literal slash.
                    if (escape == (byte)'/')
                    {
                        output[written++] = (byte)'/';
                    }
                    else
                    {
                        output[written++] = (byte)'\\';
                        output[written++] = escape;
                    }

                    i += 2;
                    continue;
                }

                int codePoint = ParseHex4(raw.Slice(i + 2, 4));
                i += 6;
                if (char.IsLowSurrogate((char)codePoint))
                {
                    return CanonicalJsonErrorKind.LoneSurrogate;
                }

                if (char.IsHighSurrogate((char)codePoint))
                {
                    if (i + 6 > raw.Length || raw[i] != (byte)'\\' || raw[i + 1] != (byte)'u')
                    {
                        return CanonicalJsonErrorKind.LoneSurrogate;
                    }

                    var low = ParseHex4(raw.Slice(i + 2, 4));
                    if (!char.IsLowSurrogate((char)low))
                    {
                        return CanonicalJsonErrorKind.LoneSurrogate;
                    }

                    codePoint = char.ConvertToUtf32((char)codePoint, (char)low);
                    i += 6;
                }

                written += JavaScriptString.WriteCodePoint(codePoint, output[written..]);
            }
        }

        output[written++] = (byte)'"';
        _length += written;
        return 0;
    }

    private void WriteNumber(ReadOnlySpan<byte> token)
    {
        EnsureCapacity(Math.Max(token.Length, JavaScriptNumber.MaxFormattedLength));
        _length += JavaScriptNumber.Write(token, _buffer.AsSpan(_length));
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex)
    {
        // The reader has checked that these are four hex digits.
        var value = 0;
        foreach (var digit in hex)
        {
            value = (value << 4) | (digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10);
        }

        return value;
    }

    /// <summary>The array index a key denotes in JavaScript ("0" to "4294967294", canonical decimal), or -1.</summary>
    private static long ArrayIndexOf(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || key.Length > 10 || (key[0] == (byte)'0' && key.Length > 1))
        {
            return -1;
        }

        long value = 0;
        foreach (var digit in key)
        {
            if (!char.IsAsciiDigit((char)digit))
            {
                return -1;
            }

            value = (value * 10) + (digit - '0');
        }

        return value <= uint.MaxValue - 1 ? value : -1;
    }

    private static string StringProblem(CanonicalJsonErrorKind kind, ReadOnlySpan<byte> raw, bool propertyName)
    {
        var what = propertyName ? "holds a property name that" : "is a string that";
        if (kind == CanonicalJsonErrorKind.InvalidUtf8)
        {
            return $"{what} is not valid UTF-8; send text as UTF-8.";
        }

        var surrogate = FindLoneSurrogateEscape(raw);
        return $"{what} holds a lone UTF-16 surrogate ({surrogate}), which is not a Unicode character; escape characters outside the BMP as a pair (\\ud83d\\ude00) or send them as UTF-8.";
    }

    private static string FindLoneSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i + 6 <= raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                continue;
            }

            if (raw[i + 1] != (byte)'u')
            {
                i++;
                continue;
            }

            var unit = (char)ParseHex4(raw.Slice(i + 2, 4));
            var pairs = char.IsHighSurrogate(unit) && i + 12 <= raw.Length && raw[i + 6] == (byte)'\\' && raw[i + 7] == (byte)'u'
                && char.IsLowSurrogate((char)ParseHex4(raw.Slice(i + 8, 4)));
            if (pairs)
            {
                i += 11;
                continue;
            }

            if (char.IsSurrogate(unit))
            {
                return $"\\u{(int)unit:x4}";
            }

            i += 5;
        }

        return "\\u????";
    }

    private CanonicalJsonError Fail(CanonicalJsonErrorKind kind, string path, string problem)
    {
        _length = 0;
        var subject = path.Length == 0 ? "The value" : path;
        return new CanonicalJsonError(kind, $"{subject} {problem}", path);
    }

    /// <summary>The path of the value currently open at <paramref name="levels"/> frames deep (0: the root).</summary>
    private string BuildPath(int levels)
    {
        var path = new StringBuilder(_rootPath);
        for (var i = 0; i < levels; i++)
        {
            var frame = _frames[i];
            if (frame.Count == 0)
            {
                break;
            }

            if (frame.IsObject)
            {
                AppendKey(path, _buffer.AsSpan(frame.KeyStart, frame.KeyLength));
            }
            else
            {
                path.Append(CultureInfo.InvariantCulture, $"[{frame.Count - 1}]");
            }
        }

        return path.ToString();
    }

    private static StringBuilder AppendKey(StringBuilder path, ReadOnlySpan<byte> canonicalKey)
    {
        // A simple key reads as a member access (.key); anything else, a leading digit included, is quoted.
        var simple = !canonicalKey.IsEmpty && !char.IsAsciiDigit((char)canonicalKey[0]);
        foreach (var b in canonicalKey)
        {
            simple &= char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'-' or (byte)'$';
        }

        if (simple)
        {
            return (path.Length > 0 ? path.Append('.') : path).Append(Encoding.ASCII.GetString(canonicalKey));
        }

        // The key is in canonical (escaped, valid UTF-8) form, so quoting it gives a valid JavaScript accessor.
        var shown = canonicalKey;
        var cut = shown.Length > MaxKeyBytesInPath;
        if (cut)
        {
            shown = shown[..MaxKeyBytesInPath];
            while (shown.Length > 0 && (shown[^1] & 0xC0) == 0x80)
            {
                shown = shown[..^1];
            }

            if (shown.Length > 0 && shown[^1] >= 0xC0)
            {
                shown = shown[..^1];
            }

            // Do not end inside an escape sequence either.
            var lastBackslash = shown.LastIndexOf((byte)'\\');
            if (lastBackslash >= 0 && shown.Length - lastBackslash < 6)
            {
                shown = shown[..lastBackslash];
            }
        }

        return path.Append("[\"").Append(Encoding.UTF8.GetString(shown)).Append(cut ? "…\"]" : "\"]");
    }

    private void Append(byte value)
    {
        EnsureCapacity(1);
        _buffer[_length++] = value;
    }

    private void AppendLiteral(ReadOnlySpan<byte> literal)
    {
        EnsureCapacity(literal.Length);
        literal.CopyTo(_buffer.AsSpan(_length));
        _length += literal.Length;
    }

    private void EnsureCapacity(int additional)
    {
        if (_length + additional > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + additional));
        }
    }

    /// <summary>An open object or array.</summary>
    private struct Frame
    {
        public bool IsObject;
        public bool HasIndexKey;
        public int Count;        // members or elements seen so far
        public int KeyStart;     // the current member's key, canonical, in the output (objects)
        public int KeyLength;
        public int ContentStart; // output position just after '{' or '['
        public int MembersStart; // this object's first entry in _members
    }

    /// <summary>A member of an open object: where it starts in the output and its key.</summary>
    private readonly record struct Member(int Start, int KeyStart, int KeyLength, long ArrayIndex);
}
