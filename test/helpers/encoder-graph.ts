// A tiny "encoder" ONNX graph in the shape Hugging Face exports have, built with the repo's own
// graph builder (tools/models/onnx-writer.ts): a row of `table` per token id, plus a row of
// `positions` per position when the graph takes position_ids, zeroed at padding by the mask. The
// weights can be stored as fp32, fp16 (then the outputs are float16 too, as in an fp16 export),
// or int8/uint8 with a DequantizeLinear in front (quantized exports).
import { floatToHalf } from '../../src/inference/half.js';
import { DataType, OnnxGraphBuilder, intAttr, onnxModelType } from '../../tools/models/onnx-writer.js';

export type Precision = 'fp32' | 'fp16' | 'int8' | 'uint8';
export type GraphTask = 'sequence-classification' | 'token-classification' | 'embedding';

export interface EncoderGraphOptions {
  task: GraphTask;
  /** One row of `width` numbers per vocabulary id. */
  table: readonly (readonly number[])[];
  width: number;
  precision?: Precision;
  /** Declare attention_mask (default true); without it no position is masked. */
  attentionMask?: boolean;
  /** Declare token_type_ids (a zero row per type is added: a wrong type id fails the Gather). */
  tokenTypeIds?: boolean;
  /** Declare position_ids; row p is added to the token at position p. */
  positions?: readonly (readonly number[])[];
  /** More float inputs the graph declares (and ignores), such as past_key_values.0.key. */
  extraInputs?: readonly string[];
  /** The output's name; default last_hidden_state for embedders, else logits. */
  outputName?: string;
}

/** Quantization step of the int8/uint8 weights: values must be multiples of it in range. */
export const QUANT_SCALE = 0.25;
const FLOAT16 = 10;
const INT8 = 3;
const UINT8 = 2;

interface Patch {
  /** Initializer name → [data type, raw bytes]. */
  initializers: Map<string, [number, Uint8Array]>;
  /** Graph output/input name → element type. */
  valueTypes: Map<string, number>;
}

export function encoderOnnx(o: EncoderGraphOptions): Uint8Array {
  const precision = o.precision ?? 'fp32';
  const half = precision === 'fp16';
  const patch: Patch = { initializers: new Map(), valueTypes: new Map() };
  const g = new OnnxGraphBuilder('tiny_encoder');
  const ids = g.addInput('input_ids', 'INT64', ['batch', 'sequence']);
  const mask = o.attentionMask === false ? undefined : g.addInput('attention_mask', 'INT64', ['batch', 'sequence']);
  const types = o.tokenTypeIds ? g.addInput('token_type_ids', 'INT64', ['batch', 'sequence']) : undefined;
  const positions = o.positions ? g.addInput('position_ids', 'INT64', ['batch', 'sequence']) : undefined;
  for (const name of o.extraInputs ?? []) g.addInput(name, 'FLOAT', ['batch', 2, 'past_sequence', 4]);

  const flat = (rows: readonly (readonly number[])[]) => {
    const out = new Float32Array(rows.length * o.width);
    rows.forEach((r, i) => {
      for (let d = 0; d < o.width; d++) out[i * o.width + d] = r[d] ?? 0;
    });
    return out;
  };
  /** A float matrix in the graph's precision (fp16 stored as fp16; int8/uint8 dequantized). */
  const matrix = (name: string, rows: readonly (readonly number[])[], quantize: boolean): string => {
    const values = flat(rows);
    const dims = [rows.length, o.width];
    if (half) {
      const bits = Uint16Array.from(values, floatToHalf);
      g.addInitializer(name, bits, dims);
      patch.initializers.set(name, [FLOAT16, new Uint8Array(bits.buffer)]);
      return name;
    }
    if (!quantize || precision === 'fp32') return g.addInitializer(name, values, dims);
    const signed = precision === 'int8';
    const zero = signed ? 0 : 128;
    const q = signed ? new Int8Array(values.length) : new Uint8Array(values.length);
    values.forEach((v, i) => {
      const k = Math.round(v / QUANT_SCALE) + zero;
      if (k < (signed ? -128 : 0) || k > (signed ? 127 : 255) || Math.abs(v / QUANT_SCALE - Math.round(v / QUANT_SCALE)) > 1e-9) {
        throw new Error(`${name}: ${v} is not a ${precision} value at scale ${QUANT_SCALE}`);
      }
      q[i] = k;
    });
    const dtype = signed ? INT8 : UINT8;
    g.addInitializer(`${name}_quantized`, values, dims); // placeholder of the right shape, patched below
    patch.initializers.set(`${name}_quantized`, [dtype, new Uint8Array(q.buffer)]);
    const scale = g.addFloat(`${name}_scale`, QUANT_SCALE);
    const zp = g.addInitializer(`${name}_zero_point`, Float32Array.of(0), []);
    patch.initializers.set(zp, [dtype, new Uint8Array((signed ? Int8Array : Uint8Array).of(zero).buffer)]);
    return g.op('DequantizeLinear', [`${name}_quantized`, scale, zp], name);
  };

  const table = matrix('embeddings.word_embeddings.weight', o.table, true);
  let hidden = g.op('Gather', [table, ids], 'word_vectors', [intAttr('axis', 0)]);
  if (positions) {
    const pos = g.op('Gather', [matrix('embeddings.position_embeddings.weight', o.positions!, true), positions], 'position_vectors', [intAttr('axis', 0)]);
    hidden = g.op('Add', [hidden, pos], 'with_positions');
  }
  if (types) {
    const typeRows = [new Array<number>(o.width).fill(0), new Array<number>(o.width).fill(0)];
    const t = g.op('Gather', [matrix('embeddings.token_type_embeddings.weight', typeRows, false), types], 'type_vectors', [intAttr('axis', 0)]);
    hidden = g.op('Add', [hidden, t], 'with_types');
  }
  if (mask) {
    const maskF = g.op('Cast', [mask], 'mask_f', [intAttr('to', half ? FLOAT16 : DataType.FLOAT)]);
    const mask3 = g.op('Unsqueeze', [maskF, g.addInt64('axis2', [2])], 'mask_3d');
    hidden = g.op('Mul', [hidden, mask3], 'masked');
  }
  const output = o.outputName ?? (o.task === 'embedding' ? 'last_hidden_state' : 'logits');
  if (o.task === 'sequence-classification') {
    g.op('ReduceSum', [hidden, g.addInt64('axis1', [1])], output, [intAttr('keepdims', 0)]);
    g.addOutput(output, 'FLOAT', ['batch', o.width]);
  } else {
    g.op('Identity', [hidden], output);
    g.addOutput(output, 'FLOAT', ['batch', 'sequence', o.width]);
  }
  if (half) patch.valueTypes.set(output, FLOAT16);
  return applyPatch(g.encode({ producerName: 'semroute-test' }), patch);
}

/** Re-types initializers and values the builder cannot write directly (float16, int8, uint8). */
function applyPatch(bytes: Uint8Array, patch: Patch): Uint8Array {
  if (patch.initializers.size === 0 && patch.valueTypes.size === 0) return bytes;
  const type = onnxModelType();
  const model = type.decode(bytes) as unknown as {
    graph: {
      initializer: { name: string; dataType: number; rawData: Uint8Array }[];
      input: { name: string; type: { tensorType: { elemType: number } } }[];
      output: { name: string; type: { tensorType: { elemType: number } } }[];
    };
  };
  for (const init of model.graph.initializer) {
    const p = patch.initializers.get(init.name);
    if (p) [init.dataType, init.rawData] = p;
  }
  for (const v of [...model.graph.input, ...model.graph.output]) {
    const t = patch.valueTypes.get(v.name);
    if (t !== undefined) v.type.tensorType.elemType = t;
  }
  return type.encode(model).finish();
}
