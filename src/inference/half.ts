// IEEE 754 half precision (binary16) → float32. onnxruntime hands float16 tensors back as the raw
// bits in a Uint16Array (or as a Float16Array where the runtime has one); the heads read float32.

const EXP_MASK = 0x7c00;
const FRAC_MASK = 0x03ff;

/** The value of one binary16 bit pattern: normals, subnormals, ±0, ±Infinity and NaN. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits & EXP_MASK) >> 10;
  const frac = bits & FRAC_MASK;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal (or zero): frac × 2^-14 / 2^10
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// Every binary16 value is exact in float32, so a table of all 65 536 patterns converts by lookup
// (256 KiB, built the first time a float16 output is read).
let table: Float32Array | undefined;

function halfTable(): Float32Array {
  if (!table) {
    table = new Float32Array(0x10000);
    for (let bits = 0; bits < 0x10000; bits++) table[bits] = halfToFloat(bits);
  }
  return table;
}

/** float32 copies of binary16 bit patterns. */
export function halfsToFloats(bits: Uint16Array): Float32Array {
  const t = halfTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]!]!;
  return out;
}

/** The binary16 pattern nearest to `value` (round half to even): fixtures write fp16 weights with it. */
export function floatToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a === Infinity) return sign | EXP_MASK;
  if (a < 2 ** -14) {
    // Subnormal range: a multiple of 2^-24, rounded to even; 1024 × 2^-24 is the smallest normal.
    return sign | roundHalfEven(a / 2 ** -24);
  }
  let exp = Math.floor(Math.log2(a));
  // log2 can be off by one right at powers of two.
  if (2 ** exp > a) exp--;
  if (2 ** (exp + 1) <= a) exp++;
  let frac = roundHalfEven((a / 2 ** exp - 1) * 1024);
  if (frac === 1024) {
    frac = 0;
    exp++;
  }
  if (exp > 15) return sign | EXP_MASK; // overflow: Infinity
  return sign | ((exp + 15) << 10) | frac;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
