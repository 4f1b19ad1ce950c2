/**
 * A GGUF v3 encoder: header, typed metadata, tensor infos and aligned tensor data, all little-endian.
 * Only what a small float model needs (F32/F16 tensors); enough to write test models from scratch.
 */

/** Metadata value types, numbered as in the GGUF spec. */
const valueTypes = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

export type GgufScalarType = Exclude<keyof typeof valueTypes, "array">;

export type GgufValue =
  | { type: Exclude<GgufScalarType, "string" | "bool" | "uint64" | "int64">; value: number }
  | { type: "uint64" | "int64"; value: bigint }
  | { type: "string"; value: string }
  | { type: "bool"; value: boolean }
  | { type: "array"; itemType: "string"; value: string[] }
  | { type: "array"; itemType: Exclude<GgufScalarType, "string" | "bool" | "uint64" | "int64">; value: number[] };

/** ggml tensor types this encoder writes. */
const tensorTypes = { f32: 0, f16: 1 } as const;

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] is the fastest-varying (row length). */
  dims: number[];
  type: keyof typeof tensorTypes;
  data: Float32Array;
}

/** Encodes a complete GGUF v3 file. `general.alignment` in metadata, if present, must match `alignment`. */
export function encodeGguf(options: {
  metadata: Record<string, GgufValue>;
  tensors: GgufTensor[];
  alignment?: number;
}): Buffer {
  const alignment = options.alignment ?? 32;
  const out = new ByteWriter();
  out.bytes(Buffer.from("GGUF", "ascii"));
  out.u32(3);
  out.u64(BigInt(options.tensors.length));
  const entries = Object.entries(options.metadata);
  out.u64(BigInt(entries.length));
  for (const [key, value] of entries) {
    out.string(key);
    writeValue(out, value);
  }

  const blobs = options.tensors.map(tensorBytes);
  let offset = 0;
  for (const [i, tensor] of options.tensors.entries()) {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length)
      throw new RangeError(
        `tensor ${tensor.name}: dims ${tensor.dims.join("x")} need ${elements} values, got ${tensor.data.length}`,
      );
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const d of tensor.dims) out.u64(BigInt(d));
    out.u32(tensorTypes[tensor.type]);
    out.u64(BigInt(offset));
    offset = alignUp(offset + blobs[i]!.length, alignment);
  }
  // The data section starts at the next aligned offset; each tensor's offset is relative to it.
  out.pad(alignment);
  for (const blob of blobs) {
    out.bytes(blob);
    out.pad(alignment);
  }
  return out.toBuffer();
}

function writeValue(out: ByteWriter, v: GgufValue): void {
  out.u32(valueTypes[v.type]);
  if (v.type === "array") {
    out.u32(valueTypes[v.itemType]);
    out.u64(BigInt(v.value.length));
    for (const item of v.value) writeScalar(out, v.itemType, item);
  } else writeScalar(out, v.type, v.value);
}

function writeScalar(out: ByteWriter, type: GgufScalarType, value: number | bigint | string | boolean): void {
  const b = Buffer.alloc(8);
  switch (type) {
    case "string":
      return out.string(value as string);
    case "bool":
      return out.bytes(Buffer.from([value ? 1 : 0]));
    case "uint8":
      b.writeUInt8(value as number);
      return out.bytes(b.subarray(0, 1));
    case "int8":
      b.writeInt8(value as number);
      return out.bytes(b.subarray(0, 1));
    case "uint16":
      b.writeUInt16LE(value as number);
      return out.bytes(b.subarray(0, 2));
    case "int16":
      b.writeInt16LE(value as number);
      return out.bytes(b.subarray(0, 2));
    case "uint32":
      return out.u32(value as number);
    case "int32":
      b.writeInt32LE(value as number);
      return out.bytes(b.subarray(0, 4));
    case "float32":
      b.writeFloatLE(value as number);
      return out.bytes(b.subarray(0, 4));
    case "uint64":
      return out.u64(value as bigint);
    case "int64":
      b.writeBigInt64LE(value as bigint);
      return out.bytes(b);
    case "float64":
      b.writeDoubleLE(value as number);
      return out.bytes(b);
  }
}

function tensorBytes(tensor: GgufTensor): Buffer {
  if (tensor.type === "f32") return Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const buf = Buffer.alloc(tensor.data.length * 2);
  for (let i = 0; i < tensor.data.length; i++) buf.writeUInt16LE(toHalf(tensor.data[i]!), i * 2);
  return buf;
}

/** IEEE 754 binary16 bits of a float (round to nearest, subnormals flushed: fine for weights). */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Uint32Array(f.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  const half = sign | (exp << 10) | (mantissa >>> 13);
  return (mantissa & 0x1000) !== 0 ? half + 1 : half;
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Appends little-endian values to a growing list of chunks. */
class ByteWriter {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  bytes(b: Buffer): void {
    this.chunks.push(Buffer.from(b));
    this.length += b.length;
  }

  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.bytes(b);
  }

  u64(n: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(n);
    this.bytes(b);
  }

  string(s: string): void {
    const utf8 = Buffer.from(s, "utf8");
    this.u64(BigInt(utf8.length));
    this.bytes(utf8);
  }

  pad(alignment: number): void {
    const extra = alignUp(this.length, alignment) - this.length;
    if (extra > 0) this.bytes(Buffer.alloc(extra));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}
