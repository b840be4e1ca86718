using System.Runtime.InteropServices;

namespace Gatehouse.Core.Decisions;

/// <summary>What the snapshot keeps of a credential: 56 bytes, read in one or two cache lines.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CredentialRecord
{
    public const int Empty = 0;
    public const int Active = 1;
    public const int Suspended = 2;

    public ulong KeyHigh;
    public ulong KeyLow;
    public Guid Id;
    public long ValidFromUtc;
    public long ValidUntilUtc;
    public int UserIndex;
    public int State;
}

/// <summary>
/// The credentials that have a <see cref="CredentialKey"/>, stored in the hash table itself (open
/// addressing, linear probing): a presented key is found, and the credential read, in the same cache
/// lines, which is most of what a decision costs against a large snapshot.
/// </summary>
internal sealed class CredentialTable
{
    private readonly CredentialRecord[] _slots;

    public CredentialTable(int count) => _slots = new CredentialRecord[Hash128.CapacityFor(count)];

    public int Count { get; private set; }

    /// <summary>The slots; a slot index from <see cref="TryAdd"/> or <see cref="Find"/> reads its record.</summary>
    public CredentialRecord[] Slots => _slots;

    /// <summary>Adds a record with a non-empty state; returns its slot, or the negated-minus-one slot of the record holding the same key.</summary>
    public int TryAdd(in CredentialRecord record)
    {
        if ((Count + 1) * 3L > _slots.Length * 2L)
        {
            throw new InvalidOperationException("The table is full.");
        }

        var slots = _slots;
        var i = Hash128.Slot(Hash128.Mix(record.KeyHigh, record.KeyLow), slots.Length);
        while (true)
        {
            ref var slot = ref slots[i];
            if (slot.State == CredentialRecord.Empty)
            {
                slot = record;
                Count++;
                return i;
            }

            if (slot.KeyHigh == record.KeyHigh && slot.KeyLow == record.KeyLow)
            {
                return ~i;
            }

            if (++i == slots.Length)
            {
                i = 0;
            }
        }
    }

    /// <summary>The slot of the credential presented as <paramref name="key"/>, or -1.</summary>
    public int Find(in CredentialKey key)
    {
        var high = key.High;
        var low = key.Low;
        var slots = _slots;
        var i = Hash128.Slot(Hash128.Mix(high, low), slots.Length);
        while (true)
        {
            ref readonly var slot = ref slots[i];
            if (slot.State == CredentialRecord.Empty)
            {
                return -1;
            }

            if (slot.KeyHigh == high && slot.KeyLow == low)
            {
                return i;
            }

            if (++i == slots.Length)
            {
                i = 0;
            }
        }
    }
}
