/**
 * Builds ONNX graphs and models on top of the protobuf writer. Field numbers
 * and enum values are those of onnx.proto for IR version 8.
 */
import { ValidationError } from '../errors.js';
import { ProtoWriter } from './protobuf.js';

const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadata: 14,
};
const OPSET = { domain: 1, version: 2 };
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 };
const ATTRIBUTE = { name: 1, f: 2, i: 3, floats: 7, strings: 9, type: 20 };
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, FLOATS: 6, STRINGS: 8 };
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9 };
const VALUE_INFO = { name: 1, type: 2 };
const TYPE = { tensorType: 1 };
const TENSOR_TYPE = { elementType: 1, shape: 2 };
const SHAPE = { dim: 1 };
const DIMENSION = { value: 1, param: 2 };
const ENTRY = { key: 1, value: 2 };

/** TensorProto.DataType values used here. */
export const ELEMENT_TYPE = { FLOAT: 1, STRING: 8 } as const;
/** The domain of the ONNX-ML operators: Imputer, Scaler, OneHotEncoder. */
export const ML_DOMAIN = 'ai.onnx.ml';

const IR_VERSION = 8;
const OPSETS = [
  { domain: '', version: 13 },
  { domain: ML_DOMAIN, version: 3 },
];
const BATCH_DIMENSION = 'N';

/** A node attribute; the key after `name` picks the ONNX attribute type. */
export type Attribute =
  | { name: string; float: number }
  | { name: string; int: number }
  | { name: string; floats: number[] }
  | { name: string; strings: string[] };

/**
 * Collects the nodes, initializers, inputs and outputs of an ONNX graph.
 * Each tensor name may be produced once, by a graph input, an initializer
 * or a node.
 */
export class GraphBuilder {
  readonly graph = new ProtoWriter().string(GRAPH.name, 'fullcycle');
  private readonly produced = new Set<string>();
  private nodeCount = 0;

  /** Declares a graph input of shape [N, 1]. */
  input(name: string, elementType: number): void {
    this.claim(name);
    this.graph.message(GRAPH.input, valueInfo(name, elementType));
  }

  /** Declares a graph output of shape [N, 1]. */
  output(name: string, elementType: number): void {
    this.graph.message(GRAPH.output, valueInfo(name, elementType));
  }

  /** Adds a float32 constant stored as little-endian raw data and returns its name. */
  floatInitializer(name: string, dims: number[], values: ArrayLike<number>): string {
    this.claim(name);
    const tensor = new ProtoWriter();
    for (const dim of dims) tensor.int(TENSOR.dims, dim);
    tensor.int(TENSOR.dataType, ELEMENT_TYPE.FLOAT).string(TENSOR.name, name);
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    this.graph.message(GRAPH.initializer, tensor.bytes(TENSOR.rawData, raw));
    return name;
  }

  /** Adds a node and returns its one output's name. An empty input name skips an optional input. */
  node(
    opType: string,
    inputs: string[],
    output: string,
    attributes: Attribute[] = [],
    domain = '',
  ): string {
    this.claim(output);
    const node = new ProtoWriter();
    for (const input of inputs) node.string(NODE.input, input);
    node.string(NODE.output, output);
    node.string(NODE.name, `${opType}_${this.nodeCount++}`).string(NODE.opType, opType);
    for (const attribute of attributes) node.message(NODE.attribute, encodeAttribute(attribute));
    if (domain !== '') node.string(NODE.domain, domain);
    this.graph.message(GRAPH.node, node);
    return output;
  }

  private claim(name: string): void {
    if (this.produced.has(name)) {
      const message = 'must be unique; rename the feature that clashes with it';
      throw new ValidationError('ONNX graph', [{ path: 'name', value: name, message }]);
    }
    this.produced.add(name);
  }
}

/** Declares a tensor of shape [N, 1] with a symbolic batch dimension. */
function valueInfo(name: string, elementType: number): ProtoWriter {
  const shape = new ProtoWriter()
    .message(SHAPE.dim, new ProtoWriter().string(DIMENSION.param, BATCH_DIMENSION))
    .message(SHAPE.dim, new ProtoWriter().int(DIMENSION.value, 1));
  const tensorType = new ProtoWriter()
    .int(TENSOR_TYPE.elementType, elementType)
    .message(TENSOR_TYPE.shape, shape);
  const type = new ProtoWriter().message(TYPE.tensorType, tensorType);
  return new ProtoWriter().string(VALUE_INFO.name, name).message(VALUE_INFO.type, type);
}

function encodeAttribute(attribute: Attribute): ProtoWriter {
  const proto = new ProtoWriter().string(ATTRIBUTE.name, attribute.name);
  if ('float' in attribute) {
    return proto.float(ATTRIBUTE.f, attribute.float).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.FLOAT);
  }
  if ('int' in attribute) {
    return proto.int(ATTRIBUTE.i, attribute.int).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.INT);
  }
  if ('floats' in attribute) {
    proto.packedFloats(ATTRIBUTE.floats, attribute.floats);
    return proto.int(ATTRIBUTE.type, ATTRIBUTE_TYPE.FLOATS);
  }
  for (const value of attribute.strings) proto.string(ATTRIBUTE.strings, value);
  return proto.int(ATTRIBUTE.type, ATTRIBUTE_TYPE.STRINGS);
}

/**
 * Encodes the finished graph as an ONNX ModelProto (IR version 8, opsets
 * `''` 13 and `ai.onnx.ml` 3) with `props` as metadata_props.
 */
export function encodeModel(
  builder: GraphBuilder,
  props: Record<string, string>,
  producerVersion: string,
): Uint8Array {
  const proto = new ProtoWriter()
    .int(MODEL.irVersion, IR_VERSION)
    .string(MODEL.producerName, 'fullcycle')
    .string(MODEL.producerVersion, producerVersion)
    .string(MODEL.docString, 'Binary classifier with its preprocessing; outputs P(positive class).')
    .message(MODEL.graph, builder.graph);
  for (const { domain, version } of OPSETS) {
    const opset = new ProtoWriter().string(OPSET.domain, domain).int(OPSET.version, version);
    proto.message(MODEL.opsetImport, opset);
  }
  for (const [key, value] of Object.entries(props)) {
    const entry = new ProtoWriter().string(ENTRY.key, key).string(ENTRY.value, value);
    proto.message(MODEL.metadata, entry);
  }
  return proto.finish();
}
