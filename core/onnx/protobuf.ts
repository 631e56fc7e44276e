/**
 * A minimal protocol buffers encoder: enough of the wire format to write ONNX
 * models. Wire types used: 0 (varint), 2 (length-delimited) and 5 (32-bit).
 * Fields are written in call order; protobuf readers accept any order.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();

/** Builds one protobuf message; nest messages by passing a finished writer to `message`. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  /**
   * Writes an int32, int64, uint64 or enum field as a varint. Negative values
   * take ten bytes in two's complement, as int64 requires.
   *
   * @throws RangeError when the value is not a safe integer.
   */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.push(encodeVarint(value));
    return this;
  }

  /** Writes a float field as 4 little-endian bytes (wire type 5). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** Writes a string field as UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Writes a bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(encodeVarint(value.length));
    this.push(value);
    return this;
  }

  /** Writes an embedded message field. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** Writes a repeated float field packed: one length-delimited run of little-endian floats. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, bytes);
  }

  /** Writes a repeated int64 field in packed form: one length-delimited run of varints. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    return this.bytes(field, concat(values.map(encodeVarint)));
  }

  /** Returns the encoded message. */
  finish(): Uint8Array {
    return concat(this.chunks, this.length);
  }

  private tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 536_870_911) {
      const rule = 'must be an integer from 1 to 2^29 - 1';
      throw new RangeError(`invalid protobuf field number ${field}: ${rule}`);
    }
    this.push(encodeVarint(field * 8 + wireType));
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
}

/**
 * Encodes an integer as a base-128 varint, least significant group first.
 * Negative values are encoded as their 64-bit two's complement.
 *
 * @throws RangeError when a number is not a safe integer, or a bigint is
 *   outside the int64 and uint64 ranges.
 */
export function encodeVarint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`invalid varint value ${value}: must be a safe integer`);
  }
  let remaining = BigInt(value);
  if (remaining < -(2n ** 63n) || remaining >= 2n ** 64n) {
    throw new RangeError(`invalid varint value ${value}: must fit in 64 bits`);
  }
  if (remaining < 0n) remaining += 2n ** 64n;

  const bytes: number[] = [];
  do {
    const group = Number(remaining & 0x7fn);
    remaining >>= 7n;
    bytes.push(remaining === 0n ? group : group | 0x80);
  } while (remaining !== 0n);
  return Uint8Array.from(bytes);
}

function concat(chunks: readonly Uint8Array[], knownLength?: number): Uint8Array {
  const length = knownLength ?? chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
