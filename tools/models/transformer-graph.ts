// Transformer encoder graphs with random weights, in the op pattern torch.onnx.export (opset 17)
// writes for Hugging Face encoders, so that their cost and their ops are those of the real models:
//
//   BERT / MiniLM   word + position + token-type embeddings, LayerNormalization, per layer:
//                   Q/K/V MatMul+Add, Reshape/Transpose into heads, QK^T / sqrt(d), + the mask bias
//                   ((1 - mask) * float32 min, as transformers builds it), Softmax, ·V, output
//                   projection, residual + LayerNormalization, GELU (Erf) FFN, residual + LN (post-norm).
//   ModernBERT      token embeddings + LN (no biases anywhere, no token types, no position table),
//                   pre-norm layers, fused Wqkv split in three, rotary position embeddings on Q and
//                   K (cos/sin tables, rotate_half by Slice/Neg/Concat), GeGLU FFN, final LN. Every
//                   layer attends globally (the real model's 128-token sliding window in two layers
//                   of three changes which scores are masked, not what is computed at ≤ 512 tokens).
//
// `quantize` writes what onnxruntime's quantize_dynamic writes for every MatMul with a weight:
// DynamicQuantizeLinear on the activation (once per tensor, shared by its consumers), int8 weights,
// MatMulInteger, Cast, and the scale product. Embedding tables stay fp32, as quantize_dynamic's
// defaults leave Gather.
//
// The weights are random: these graphs measure speed, memory and loading, never accuracy.
import { createRng } from './prng.js';
import { OnnxGraphBuilder, intAttr, intsAttr, type Attribute } from './onnx-writer.js';

export type EncoderStyle = 'bert' | 'modernbert';
export type TransformerTask = 'sequence-classification' | 'token-classification' | 'embedding';

export interface TransformerShape {
  style: EncoderStyle;
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
  /** Token-type rows (BERT: 2); 0: no token_type_ids input. */
  typeVocab: number;
}

/** The published configs' sizes (config.json of each model on the Hub). */
export const TRANSFORMER_SHAPES = {
  'minilm-l6': { style: 'bert', layers: 6, hidden: 384, heads: 12, intermediate: 1536, vocab: 30522, maxPositions: 512, typeVocab: 2 },
  'bert-base': { style: 'bert', layers: 12, hidden: 768, heads: 12, intermediate: 3072, vocab: 30522, maxPositions: 512, typeVocab: 2 },
  'modernbert-base': { style: 'modernbert', layers: 22, hidden: 768, heads: 12, intermediate: 1152, vocab: 50368, maxPositions: 8192, typeVocab: 0 },
  /** The committed test fixture: real transformer ops at a few MB. */
  tiny: { style: 'bert', layers: 2, hidden: 64, heads: 4, intermediate: 256, vocab: 12000, maxPositions: 512, typeVocab: 2 },
} as const satisfies Record<string, TransformerShape>;
export type TransformerShapeName = keyof typeof TRANSFORMER_SHAPES;

export interface TransformerGraphOptions {
  shape: TransformerShape;
  task: TransformerTask;
  /** Classes of a classifier's head. */
  labels?: number;
  quantize?: boolean;
  seed?: number;
}

const FLOAT32_MIN = -3.4028234663852886e38;
const floatAttr = (name: string, value: number): Attribute => ({ name, type: 'float', value });

export function transformerOnnx(o: TransformerGraphOptions): Uint8Array {
  const { shape, task } = o;
  const { hidden: h, heads } = shape;
  if (h % heads !== 0) throw new Error(`hidden ${h} is not a multiple of heads ${heads}`);
  const dh = h / heads;
  const bert = shape.style === 'bert';
  const rand = createRng(o.seed ?? 1);
  const g = new OnnxGraphBuilder(`${shape.style}_encoder`);
  let n = 0;
  const id = (what: string) => `${what}_${n++}`;
  // Uniform with BERT's initializer_range (std 0.02).
  const weights = (count: number, std = 0.02) => {
    const a = std * Math.sqrt(3);
    const w = new Float32Array(count);
    for (let i = 0; i < count; i++) w[i] = (rand() * 2 - 1) * a;
    return w;
  };
  const param = (name: string, dims: number[], std?: number) => g.addInitializer(name, weights(dims.reduce((x, y) => x * y, 1), std), dims);
  const ones = (name: string, size: number) => g.addInitializer(name, new Float32Array(size).fill(1), [size]);
  const zeros = (name: string, size: number) => g.addInitializer(name, new Float32Array(size), [size]);
  const ints = (values: number[]) => g.addInt64(id('const'), values);
  const scalar = (value: number) => g.addFloat(id('scalar'), value);

  const quantized = new Map<string, [string, string, string]>();
  /** x · W (+ b): fp32 MatMul, or quantize_dynamic's pattern. */
  const linear = (x: string, inDim: number, outDim: number, name: string, bias = bert): string => {
    let y: string;
    if (o.quantize) {
      let q = quantized.get(x);
      if (!q) {
        q = [id(`${x}_q`), id(`${x}_scale`), id(`${x}_zp`)];
        g.addNode('DynamicQuantizeLinear', [x], q);
        quantized.set(x, q);
      }
      const w = new Int8Array(inDim * outDim);
      for (let i = 0; i < w.length; i++) w[i] = Math.round((rand() * 2 - 1) * 127);
      const wq = g.addInitializer(`${name}.weight_quantized`, w, [inDim, outDim]);
      const wScale = g.addFloat(`${name}.weight_scale`, (0.02 * Math.sqrt(3)) / 127);
      const wZp = g.addInitializer(`${name}.weight_zero_point`, Int8Array.of(0), []);
      const acc = g.op('MatMulInteger', [q[0], wq, q[2], wZp], id(`${name}_int32`));
      const asFloat = g.op('Cast', [acc], id(`${name}_float`), [intAttr('to', 1)]);
      const scale = g.op('Mul', [q[1], wScale], id(`${name}_scale`));
      y = g.op('Mul', [asFloat, scale], id(`${name}_mm`));
    } else {
      y = g.op('MatMul', [x, param(`${name}.weight`, [inDim, outDim])], id(`${name}_mm`));
    }
    return bias ? g.op('Add', [y, zeros(`${name}.bias`, outDim)], id(`${name}_out`)) : y;
  };
  const layerNorm = (x: string, name: string, bias = bert): string =>
    g.op('LayerNormalization', bias ? [x, ones(`${name}.weight`, h), zeros(`${name}.bias`, h)] : [x, ones(`${name}.weight`, h)], id(`${name}_ln`), [
      intAttr('axis', -1),
      floatAttr('epsilon', bert ? 1e-12 : 1e-5),
    ]);
  const gelu = (x: string): string => {
    // 0.5 · x · (1 + erf(x / √2)): torch's exact GELU as exported.
    const erf = g.op('Erf', [g.op('Div', [x, scalar(Math.SQRT2)], id('gelu_div'))], id('gelu_erf'));
    const inner = g.op('Mul', [x, g.op('Add', [erf, scalar(1)], id('gelu_add'))], id('gelu_mul'));
    return g.op('Mul', [inner, scalar(0.5)], id('gelu'));
  };
  const residual = (a: string, b: string) => g.op('Add', [a, b], id('residual'));

  const ids = g.addInput('input_ids', 'INT64', ['batch_size', 'sequence_length']);
  const mask = g.addInput('attention_mask', 'INT64', ['batch_size', 'sequence_length']);
  const types = shape.typeVocab > 0 ? g.addInput('token_type_ids', 'INT64', ['batch_size', 'sequence_length']) : undefined;
  // The sequence length as a 1-D tensor, to slice the position tables.
  const seqLen = g.op('Slice', [g.op('Shape', [ids], id('shape')), ints([1]), ints([2])], id('seq_len'));
  const firstRows = (table: string) => g.op('Slice', [table, ints([0]), seqLen, ints([0])], id(`${table}_rows`));

  // Embeddings.
  let x = g.op('Gather', [param('embeddings.word_embeddings.weight', [shape.vocab, h]), ids], id('word'));
  if (bert) {
    x = g.op('Add', [x, firstRows(param('embeddings.position_embeddings.weight', [shape.maxPositions, h]))], id('with_positions'));
    if (types) x = g.op('Add', [x, g.op('Gather', [param('embeddings.token_type_embeddings.weight', [shape.typeVocab, h]), types], id('types'))], id('with_types'));
  }
  x = layerNorm(x, 'embeddings.LayerNorm');

  // (1 - mask) · float32 min, broadcast over heads and query positions: [batch, 1, 1, seq].
  const maskFloat = g.op('Unsqueeze', [g.op('Cast', [mask], id('mask_float'), [intAttr('to', 1)]), ints([1, 2])], id('mask4'));
  const maskBias = g.op('Mul', [g.op('Sub', [scalar(1), maskFloat], id('inverted')), scalar(FLOAT32_MIN)], id('mask_bias'));

  // Rotary tables [seq, dh] (ModernBERT): the angles of positions × inverse frequencies.
  let rotary: { cos: string; sin: string } | undefined;
  if (!bert) {
    const cos = new Float32Array(shape.maxPositions * dh);
    const sin = new Float32Array(shape.maxPositions * dh);
    for (let p = 0; p < shape.maxPositions; p++) {
      for (let i = 0; i < dh / 2; i++) {
        const angle = p / 160_000 ** ((2 * i) / dh);
        for (const j of [i, i + dh / 2]) {
          cos[p * dh + j] = Math.cos(angle);
          sin[p * dh + j] = Math.sin(angle);
        }
      }
    }
    rotary = { cos: firstRows(g.addInitializer('rotary.cos', cos, [shape.maxPositions, dh])), sin: firstRows(g.addInitializer('rotary.sin', sin, [shape.maxPositions, dh])) };
  }
  const rotate = (t: string): string => {
    const first = g.op('Slice', [t, ints([0]), ints([dh / 2]), ints([-1])], id('rot_x1'));
    const second = g.op('Slice', [t, ints([dh / 2]), ints([dh]), ints([-1])], id('rot_x2'));
    const half = g.op('Concat', [g.op('Neg', [second], id('rot_neg')), first], id('rot_half'), [intAttr('axis', -1)]);
    return g.op('Add', [g.op('Mul', [t, rotary!.cos], id('rot_cos')), g.op('Mul', [half, rotary!.sin], id('rot_sin'))], id('rotated'));
  };
  const headShape = ints([0, 0, heads, dh]);
  const mergedShape = ints([0, 0, h]);
  const toHeads = (t: string) => g.op('Transpose', [g.op('Reshape', [t, headShape], id('heads'))], id('heads_t'), [intsAttr('perm', [0, 2, 1, 3])]);
  const sqrtDh = scalar(Math.sqrt(dh));

  const attention = (input: string, l: number): string => {
    const prefix = `encoder.layer.${l}.attention`;
    let q: string, k: string, v: string;
    if (bert) {
      [q, k, v] = ['query', 'key', 'value'].map((p) => toHeads(linear(input, h, h, `${prefix}.self.${p}`))) as [string, string, string];
    } else {
      const qkv = linear(input, h, 3 * h, `${prefix}.Wqkv`);
      const parts = g.addNode('Split', [qkv, ints([h, h, h])], [id('q'), id('k'), id('v')], [intAttr('axis', -1)]);
      [q, k, v] = parts.map(toHeads) as [string, string, string];
      q = rotate(q);
      k = rotate(k);
    }
    const kT = g.op('Transpose', [k!], id('k_t'), [intsAttr('perm', [0, 1, 3, 2])]);
    const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [q!, kT], id('qk')), sqrtDh], id('scaled')), maskBias], id('masked'));
    const probs = g.op('Softmax', [scores], id('probs'), [intAttr('axis', -1)]);
    const context = g.op('Transpose', [g.op('MatMul', [probs, v!], id('context'))], id('context_t'), [intsAttr('perm', [0, 2, 1, 3])]);
    return linear(g.op('Reshape', [context, mergedShape], id('merged')), h, h, bert ? `${prefix}.output.dense` : `${prefix}.Wo`);
  };
  const feedForward = (input: string, l: number): string => {
    if (bert) {
      const up = gelu(linear(input, h, shape.intermediate, `encoder.layer.${l}.intermediate.dense`));
      return linear(up, shape.intermediate, h, `encoder.layer.${l}.output.dense`);
    }
    const wi = linear(input, h, 2 * shape.intermediate, `layers.${l}.mlp.Wi`);
    const [inp, gate] = g.addNode('Split', [wi, ints([shape.intermediate, shape.intermediate])], [id('mlp_in'), id('mlp_gate')], [intAttr('axis', -1)]);
    return linear(g.op('Mul', [gelu(inp!), gate!], id('geglu')), shape.intermediate, h, `layers.${l}.mlp.Wo`);
  };

  for (let l = 0; l < shape.layers; l++) {
    if (bert) {
      x = layerNorm(residual(x, attention(x, l)), `encoder.layer.${l}.attention.output.LayerNorm`);
      x = layerNorm(residual(x, feedForward(x, l)), `encoder.layer.${l}.output.LayerNorm`);
    } else {
      // ModernBERT's first layer has no attention norm (the embeddings' LN precedes it).
      const attnIn = l === 0 ? x : layerNorm(x, `layers.${l}.attn_norm`);
      x = residual(x, attention(attnIn, l));
      x = residual(x, feedForward(layerNorm(x, `layers.${l}.mlp_norm`), l));
    }
  }
  if (!bert) x = layerNorm(x, 'final_norm');

  const labels = o.labels ?? 2;
  if (task === 'embedding') {
    g.addOutput(g.op('Identity', [x], 'last_hidden_state'), 'FLOAT', ['batch_size', 'sequence_length', h]);
  } else if (task === 'token-classification') {
    const logits = linear(x, h, labels, 'classifier', true);
    g.addOutput(g.op('Identity', [logits], 'logits'), 'FLOAT', ['batch_size', 'sequence_length', labels]);
  } else {
    // The first token's state: BERT's pooler (dense + tanh), ModernBERT's head (dense + GELU + LN).
    const cls = g.op('Gather', [x, g.addInt64(id('cls_index'), 0)], id('cls'), [intAttr('axis', 1)]);
    const pooled = bert ? g.op('Tanh', [linear(cls, h, h, 'pooler.dense')], id('pooled')) : layerNorm(gelu(linear(cls, h, h, 'head.dense')), 'head.norm');
    const logits = linear(pooled, h, labels, 'classifier', true);
    g.addOutput(g.op('Identity', [logits], 'logits'), 'FLOAT', ['batch_size', labels]);
  }
  return g.encode({ producerName: 'semroute tools/models/transformer-graph.ts', docString: `random-weight ${shape.style} encoder (speed and loading only)` });
}
