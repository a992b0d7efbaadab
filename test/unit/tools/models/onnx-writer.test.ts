import { describe, expect, test } from '@jest/globals';
import { DataType, IR_VERSION, OPSET_VERSION, OnnxGraphBuilder, intAttr, onnxModelType } from '../../../../tools/models/onnx-writer.js';

function decode(bytes: Uint8Array): any {
  const type = onnxModelType();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Array, defaults: false });
}

function sampleModel(): Uint8Array {
  const g = new OnnxGraphBuilder('sample');
  const ids = g.addInput('input_ids', 'INT64', ['batch', 'sequence']);
  g.addInput('attention_mask', 'INT64', ['batch', 'sequence']);
  g.addOutput('logits', 'FLOAT', ['batch', 3]);
  const table = g.addInitializer('table', Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
  const axis = g.addInt64('axis1', [1]);
  const rows = g.op('Gather', [table, ids], 'rows', [intAttr('axis', 0)]);
  g.op('ReduceSum', [rows, axis], 'logits', [intAttr('keepdims', 0)]);
  return g.encode({ producerName: 'unit-test', metadata: { purpose: 'test' } });
}

describe('OnnxGraphBuilder', () => {
  test('encodes ir_version 8 and the default-domain opset 17', () => {
    const model = decode(sampleModel());
    expect(IR_VERSION).toBe(8);
    expect(model.irVersion).toBe(IR_VERSION);
    expect(model.opsetImport).toEqual([{ domain: '', version: OPSET_VERSION }]);
    expect(OPSET_VERSION).toBe(17);
    expect(model.producerName).toBe('unit-test');
    expect(model.metadataProps).toEqual([{ key: 'purpose', value: 'test' }]);
  });

  test('inputs and outputs carry element types and symbolic or fixed dims', () => {
    const graph = decode(sampleModel()).graph;
    const describeValue = (v: any) => ({
      name: v.name,
      elemType: v.type.tensorType.elemType,
      dims: v.type.tensorType.shape.dim.map((d: any) => d.dimParam ?? d.dimValue),
    });
    expect(graph.input.map(describeValue)).toEqual([
      { name: 'input_ids', elemType: DataType.INT64, dims: ['batch', 'sequence'] },
      { name: 'attention_mask', elemType: DataType.INT64, dims: ['batch', 'sequence'] },
    ]);
    expect(graph.output.map(describeValue)).toEqual([{ name: 'logits', elemType: DataType.FLOAT, dims: ['batch', 3] }]);
  });

  test('nodes keep order, names and int attributes; initializers are little-endian raw data', () => {
    const graph = decode(sampleModel()).graph;
    expect(graph.node.map((n: any) => [n.name, n.opType, n.input, n.output])).toEqual([
      ['Gather_0', 'Gather', ['table', 'input_ids'], ['rows']],
      ['ReduceSum_1', 'ReduceSum', ['rows', 'axis1'], ['logits']],
    ]);
    expect(graph.node[1].attribute).toEqual([{ name: 'keepdims', type: 2, i: 0 }]);
    const table = graph.initializer.find((t: any) => t.name === 'table');
    expect(table.dims).toEqual([2, 3]);
    expect(table.dataType).toBe(DataType.FLOAT);
    expect(Array.from(new Float32Array(Uint8Array.from(table.rawData).buffer))).toEqual([1, 2, 3, 4, 5, 6]);
    const axis = graph.initializer.find((t: any) => t.name === 'axis1');
    expect(axis.dataType).toBe(DataType.INT64);
    expect(Array.from(new BigInt64Array(Uint8Array.from(axis.rawData).buffer))).toEqual([1n]);
  });

  test('the same graph encodes to the same bytes', () => {
    expect(Buffer.from(sampleModel()).equals(Buffer.from(sampleModel()))).toBe(true);
  });

  test('rejects duplicate tensor names and initializers whose size does not match their dims', () => {
    const g = new OnnxGraphBuilder('bad');
    g.addInitializer('w', Float32Array.of(1, 2), [2]);
    expect(() => g.addInitializer('w', Float32Array.of(1, 2), [2])).toThrow(/duplicate/);
    expect(() => g.addInitializer('v', Float32Array.of(1, 2, 3), [2, 2])).toThrow(/3 values/);
  });
});
