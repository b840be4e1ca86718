using System.Runtime.CompilerServices;

namespace Gatehouse.Core.Decisions;

/// <summary>Hashing of 128-bit keys (credential keys and GUIDs) for the snapshot's open-addressing tables.</summary>
internal static class Hash128
{
    /// <summary>A well-mixed 32-bit hash of a 128-bit key; the same mixing as <see cref="CredentialKey.GetHashCode"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Mix(ulong high, ulong low)
    {
        var h = (high * 0x9E3779B97F4A7C15UL) ^ low;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (uint)h;
    }

    /// <summary>Maps a 32-bit hash onto <c>[0, capacity)</c> without division (Lemire's multiply-shift).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Slot(uint hash, int capacity) => (int)(((ulong)hash * (uint)capacity) >> 32);

    /// <summary>Table capacity for <paramref name="count"/> keys at a load of at most two thirds.</summary>
    public static int CapacityFor(int count) => checked(Math.Max(4, count + (count / 2) + 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(in Guid id, out ulong high, out ulong low)
    {
        ref var bytes = ref Unsafe.As<Guid, byte>(ref Unsafe.AsRef(in id));
        high = Unsafe.ReadUnaligned<ulong>(ref bytes);
        low = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref bytes, 8));
    }
}

/// <summary>
/// An immutable-after-build map from <see cref="Guid"/> to a non-negative index: open addressing with
/// linear probing over one array of slots, so a lookup is a hash and usually one cache line, and never allocates.
/// </summary>
internal sealed class Key128Map
{
    private readonly Slot[] _slots;

    public Key128Map(int count) => _slots = new Slot[Hash128.CapacityFor(count)];

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="id"/> → <paramref name="value"/>; false when the id is already there.</summary>
    public bool TryAdd(Guid id, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if ((Count + 1) * 3L > _slots.Length * 2L)
        {
            throw new InvalidOperationException("The map is full.");
        }

        Hash128.Split(in id, out var high, out var low);
        var slots = _slots;
        var i = Hash128.Slot(Hash128.Mix(high, low), slots.Length);
        while (true)
        {
            ref var slot = ref slots[i];
            if (slot.ValuePlusOne == 0)
            {
                slot = new Slot { High = high, Low = low, ValuePlusOne = value + 1 };
                Count++;
                return true;
            }

            if (slot.High == high && slot.Low == low)
            {
                return false;
            }

            if (++i == slots.Length)
            {
                i = 0;
            }
        }
    }

    /// <summary>The value of <paramref name="id"/>, or -1.</summary>
    public int Find(Guid id)
    {
        Hash128.Split(in id, out var high, out var low);
        var slots = _slots;
        var i = Hash128.Slot(Hash128.Mix(high, low), slots.Length);
        while (true)
        {
            ref readonly var slot = ref slots[i];
            if (slot.ValuePlusOne == 0)
            {
                return -1;
            }

            if (slot.High == high && slot.Low == low)
            {
                return slot.ValuePlusOne - 1;
            }

            if (++i == slots.Length)
            {
                i = 0;
            }
        }
    }

    private struct Slot
    {
        public ulong High;
        public ulong Low;
        public int ValuePlusOne;
    }
}
