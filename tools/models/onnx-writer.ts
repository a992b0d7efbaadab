// A small typed builder for ONNX graphs, encoded with protobufjs against onnx.proto (the subset of
// the official schema we need). Initializers are stored as little-endian raw_data.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT32: 6, INT64: 7 } as const;
export type DataTypeName = keyof typeof DataType;

/** AttributeProto.AttributeType values used here. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type Dim = number | string;
export type Attribute =
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'ints'; value: readonly number[] }
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'string'; value: string };

export const intAttr = (name: string, value: number): Attribute => ({ name, type: 'int', value });
export const intsAttr = (name: string, value: readonly number[]): Attribute => ({ name, type: 'ints', value });

type TensorData = Float32Array | BigInt64Array | Int32Array | Uint16Array | Int8Array | Uint8Array;

interface ValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

function dataTypeOf(data: TensorData): number {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Int8Array) return DataType.INT8;
  if (data instanceof Uint8Array) return DataType.UINT8;
  return DataType.UINT16;
}

function valueInfo(name: string, elemType: DataTypeName, dims: readonly Dim[]): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: DataType[elemType],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function encodeAttribute(attr: Attribute): Record<string, unknown> {
  switch (attr.type) {
    case 'int':
      return { name: attr.name, type: AttributeType.INT, i: attr.value };
    case 'ints':
      return { name: attr.name, type: AttributeType.INTS, ints: [...attr.value] };
    case 'float':
      return { name: attr.name, type: AttributeType.FLOAT, f: attr.value };
    case 'string':
      return { name: attr.name, type: AttributeType.STRING, s: Buffer.from(attr.value, 'utf8') };
  }
}

let modelType: protobuf.Type | undefined;

/** onnx.proto next to this file (tsx/jest) or in tools/models/ of the repo (compiled dist/). */
export function onnxProtoPath(): string {
  const candidates = [new URL('./onnx.proto', import.meta.url), new URL('../../../tools/models/onnx.proto', import.meta.url)];
  const found = candidates.map((u) => fileURLToPath(u)).find((p) => existsSync(p));
  if (!found) throw new Error('onnx.proto not found next to the model tools');
  return found;
}

export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.loadSync(onnxProtoPath()).lookupType('onnx.ModelProto');
  return modelType;
}

export interface ModelMetadata {
  producerName: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export class OnnxGraphBuilder {
  private readonly nodes: Record<string, unknown>[] = [];
  private readonly initializers: Record<string, unknown>[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly graphName: string) {}

  addInput(name: string, elemType: DataTypeName, dims: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  addOutput(name: string, elemType: DataTypeName, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  addInitializer(name: string, data: TensorData, dims: readonly number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims.join(',')}]`);
    this.claim(name);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: dataTypeOf(data),
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** Scalar or 1-D int64 constant. */
  addInt64(name: string, values: number | readonly number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const dims = typeof values === 'number' ? [] : [list.length];
    return this.addInitializer(name, BigInt64Array.from(list.map((v) => BigInt(v))), dims);
  }

  addFloat(name: string, value: number): string {
    return this.addInitializer(name, Float32Array.of(value), []);
  }

  /** Appends a node; returns its output names. Node names are op type + index, so they are stable. */
  addNode(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: readonly Attribute[] = []): string[] {
    for (const output of outputs) this.claim(output);
    this.nodes.push({
      name: `${opType}_${this.nodes.length}`,
      opType,
      input: [...inputs],
      output: [...outputs],
      attribute: attributes.map(encodeAttribute),
    });
    return [...outputs];
  }

  /** One-output node helper. */
  op(opType: string, inputs: readonly string[], output: string, attributes: readonly Attribute[] = []): string {
    this.addNode(opType, inputs, [output], attributes);
    return output;
  }

  encode(meta: ModelMetadata): Uint8Array {
    const type = onnxModelType();
    const model = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET_VERSION }],
      producerName: meta.producerName,
      docString: meta.docString ?? '',
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
    const problem = type.verify(model);
    if (problem) throw new Error(`invalid ONNX model: ${problem}`);
    return type.encode(type.fromObject(model)).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`duplicate tensor name ${name}`);
    this.names.add(name);
  }
}
