using System;
using System.Globalization;
using System.Text;

namespace McpAuth.Core.Tokens
{
    /// <summary>
    /// A minimal DER reader (ITU-T X.690) for the few structures a private key file holds: SEQUENCE,
    /// INTEGER, OCTET STRING, BIT STRING, OBJECT IDENTIFIER and context tags. Definite lengths only.
    /// Any violation throws <see cref="FormatException"/>, which callers turn into a clear error.
    /// </summary>
    internal sealed class DerReader
    {
        private const byte SequenceTag = 0x30;
        private const byte IntegerTag = 0x02;
        private const byte BitStringTag = 0x03;
        private const byte OctetStringTag = 0x04;
        private const byte NullTag = 0x05;
        private const byte OidTag = 0x06;

        private readonly byte[] data;
        private readonly int end;
        private int position;

        public DerReader(byte[] data)
            : this(data, 0, data.Length)
        {
        }

        private DerReader(byte[] data, int offset, int length)
        {
            this.data = data;
            position = offset;
            end = offset + length;
        }

        public bool HasData => position < end;

        public byte PeekTag()
        {
            if (!HasData)
            {
                throw new FormatException("Unexpected end of DER data.");
            }

            return data[position];
        }

        public DerReader ReadSequence() => Nested(Read(SequenceTag));

        public byte[] ReadInteger() => Copy(Read(IntegerTag));

        public byte[] ReadOctetString() => Copy(Read(OctetStringTag));

        public byte[] ReadBitString()
        {
            (int start, int length) = Read(BitStringTag);
            if (length < 1 || data[start] != 0)
            {
                throw new FormatException("Unsupported BIT STRING padding.");
            }

            return Copy((start + 1, length - 1));
        }

        public string ReadObjectIdentifier()
        {
            (int start, int length) = Read(OidTag);
            if (length == 0)
            {
                throw new FormatException("Empty OBJECT IDENTIFIER.");
            }

            var builder = new StringBuilder();
            long value = 0;
            bool first = true;
            for (int i = start; i < start + length; i++)
            {
                if (value > (long.MaxValue >> 7))
                {
                    throw new FormatException("OBJECT IDENTIFIER arc too large.");
                }

                value = (value << 7) | (uint)(data[i] & 0x7F);
                if ((data[i] & 0x80) != 0)
                {
                    continue;
                }

                if (first)
                {
                    long top = Math.Min(value / 40, 2);
                    builder.Append(top.ToString(CultureInfo.InvariantCulture)).Append('.').Append((value - (top * 40)).ToString(CultureInfo.InvariantCulture));
                    first = false;
                }
                else
                {
                    builder.Append('.').Append(value.ToString(CultureInfo.InvariantCulture));
                }

                value = 0;
            }

            return builder.ToString();
        }

        /// <summary>Reads an optional explicit context tag [n] (constructed), or returns null when absent.</summary>
        public DerReader? TryReadContext(int number)
        {
            if (!HasData || data[position] != (byte)(0xA0 | number))
            {
                return null;
            }

            return Nested(Read((byte)(0xA0 | number)));
        }

        /// <summary>Skips one element of any tag.</summary>
        public void Skip() => Read(PeekTag());

        /// <summary>Skips a NULL if it is next (RSA algorithm parameters).</summary>
        public void SkipNull()
        {
            if (HasData && data[position] == NullTag)
            {
                Read(NullTag);
            }
        }

        private DerReader Nested((int Start, int Length) content) => new DerReader(data, content.Start, content.Length);

        private byte[] Copy((int Start, int Length) content)
        {
            byte[] result = new byte[content.Length];
            Buffer.BlockCopy(data, content.Start, result, 0, content.Length);
            return result;
        }

        private (int Start, int Length) Read(byte expectedTag)
        {
            if (PeekTag() != expectedTag)
            {
                throw new FormatException($"Expected DER tag 0x{expectedTag:X2}, found 0x{data[position]:X2}.");
            }

            position++;
            if (!HasData)
            {
                throw new FormatException("Truncated DER length.");
            }

            int first = data[position++];
            int length;
            if (first < 0x80)
            {
                length = first;
            }
            else
            {
                int count = first & 0x7F;
                if (count == 0 || count > 3 || position + count > end)
                {
                    throw new FormatException("Unsupported DER length.");
                }

                length = 0;
                for (int i = 0; i < count; i++)
                {
                    length = (length << 8) | data[position++];
                }
            }

            if (length > end - position)
            {
                throw new FormatException("DER length runs past the end of the data.");
            }

            int start = position;
            position += length;
            return (start, length);
        }
    }
}
