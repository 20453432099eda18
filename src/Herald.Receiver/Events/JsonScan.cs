using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Herald.Receiver.Events;

/// <summary>
/// Finds where a JSON object or array ends without tokenizing it: only strings (with their escapes) and brackets
/// are tracked, 32 bytes at a time. This is how the envelope parser steps over <c>data</c>, which is most of the
/// body: the full tokenizer costs about as much as the HMAC per byte, this scan a small fraction of it.
/// </summary>
/// <remarks>
/// It does not validate: anything between balanced brackets is accepted here (wrong bracket kinds, bad literals,
/// invalid UTF-8) and is rejected later, when the value is actually parsed.
/// </remarks>
internal static class JsonScan
{
    private const int Block = 32;

    /// <summary>Returns the index just past the bracket closing the container that opens at <paramref name="start"/>, or -1 when it never closes.</summary>
    /// <param name="json">The text.</param>
    /// <param name="start">The index of the opening <c>{</c> or <c>[</c>.</param>
    public static int FindContainerEnd(ReadOnlySpan<byte> json, int start)
    {
        var depth = 0;
        var inString = false;
        var escaped = false;
        var i = start;
        var vectorized = Vector256.IsHardwareAccelerated || Vector128.IsHardwareAccelerated;
        while (i < json.Length)
        {
            if (vectorized && !escaped && i <= json.Length - Block)
            {
                ClassifyBlock(json, i, out var quotes, out var backslashes, out var opens, out var closes);
                if (backslashes == 0)
                {
                    // Bit p of the prefix XOR is the parity of the quotes at or before p: for a bracket (never a quote)
                    // that is "inside a string" relative to the state at the start of the block.
                    var inside = PrefixXor(quotes);
                    if (inString)
                    {
                        inside = ~inside;
                    }

                    opens &= ~inside;
                    closes &= ~inside;
                    var closeCount = BitOperations.PopCount(closes);

                    // Even if every closer came first the depth would stay above zero: the end is not in this block.
                    if (closeCount < depth || closes == 0)
                    {
                        depth += BitOperations.PopCount(opens) - closeCount;
                        inString ^= (BitOperations.PopCount(quotes) & 1) != 0;
                        i += Block;
                        continue;
                    }
                }
            }

            // Byte by byte, one block at most: escapes, the block where the container may end, and the tail.
            var stop = Math.Min(json.Length, i + Block);
            for (; i < stop; i++)
            {
                var b = json[i];
                if (inString)
                {
                    if (escaped)
                    {
                        escaped = false;
                    }
                    else if (b == '\\')
                    {
                        escaped = true;
                    }
                    else if (b == '"')
                    {
                        inString = false;
                    }
                }
                else if (b == '"')
                {
                    inString = true;
                }
                else if (b is (byte)'{' or (byte)'[')
                {
                    depth++;
                }
                else if (b is (byte)'}' or (byte)']' && --depth == 0)
                {
                    return i + 1;
                }
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint PrefixXor(uint bits)
    {
        bits ^= bits << 1;
        bits ^= bits << 2;
        bits ^= bits << 4;
        bits ^= bits << 8;
        bits ^= bits << 16;
        return bits;
    }

    /// <summary>Bit masks (bit n = byte <paramref name="index"/> + n) of the 32 bytes at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ClassifyBlock(ReadOnlySpan<byte> json, int index, out uint quotes, out uint backslashes, out uint opens, out uint closes)
    {
        ref var origin = ref Unsafe.Add(ref MemoryMarshal.GetReference(json), index);
        if (Vector256.IsHardwareAccelerated)
        {
            var block = Vector256.LoadUnsafe(ref origin);

            // '{' 0x7B and '[' 0x5B (and '}' 0x7D, ']' 0x5D) differ only in bit 0x20.
            var folded = block | Vector256.Create((byte)0x20);
            quotes = Vector256.Equals(block, Vector256.Create((byte)'"')).ExtractMostSignificantBits();
            backslashes = Vector256.Equals(block, Vector256.Create((byte)'\\')).ExtractMostSignificantBits();
            opens = Vector256.Equals(folded, Vector256.Create((byte)'{')).ExtractMostSignificantBits();
            closes = Vector256.Equals(folded, Vector256.Create((byte)'}')).ExtractMostSignificantBits();
        }
        else
        {
            var low = Vector128.LoadUnsafe(ref origin);
            var high = Vector128.LoadUnsafe(ref Unsafe.Add(ref origin, 16));
            quotes = Mask(low, high, (byte)'"', 0);
            backslashes = Mask(low, high, (byte)'\\', 0);
            opens = Mask(low, high, (byte)'{', 0x20);
            closes = Mask(low, high, (byte)'}', 0x20);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mask(Vector128<byte> low, Vector128<byte> high, byte value, byte fold)
    {
        var target = Vector128.Create(value);
        var foldMask = Vector128.Create(fold);
        return Vector128.Equals(low | foldMask, target).ExtractMostSignificantBits()
            | (Vector128.Equals(high | foldMask, target).ExtractMostSignificantBits() << 16);
    }
}
