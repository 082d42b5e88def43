/**
 * A service's operations and errors as AWS defines them: read from the Smithy schemas that the
 * `@aws-sdk/client-*` package ships (`Publish$` = [9, namespace, name, traits, input, output], `NotFoundException$`
 * = [-3, namespace, name, { awsQueryError, httpError, error }, …]). Codecs read and write through these, so member
 * names, XML names, flattened lists and error codes come from AWS's own model, not from tables kept here.
 */
import { NormalizedSchema } from '@smithy/core/schema';

export interface OperationModel {
  readonly name: string;
  /** The operation's own traits, e.g. `http: [method, uriPattern, statusCode]` for the REST protocols. */
  readonly traits: Readonly<Record<string, unknown>>;
  readonly input: NormalizedSchema;
  readonly output: NormalizedSchema;
}

export interface ErrorModel {
  /** The shape name, e.g. `NotFoundException`. */
  readonly shape: string;
  /** The code on the wire of the query protocol (`awsQueryError`), else the shape name. */
  readonly code: string;
  readonly httpStatus: number;
  readonly fault: 'Sender' | 'Receiver';
  /** The error structure (its members, e.g. Lambda's `Type` and `Message` or `message`). */
  readonly schema: NormalizedSchema;
}

export interface ServiceModel {
  readonly operations: ReadonlyMap<string, OperationModel>;
  /** By wire code (query) and by shape name (JSON `__type`). */
  readonly errors: ReadonlyMap<string, ErrorModel>;
}

type SchemaArray = readonly unknown[];
const OPERATION = 9;
const ERROR = -3;

/** The model of the service whose SDK client module is `sdk` (e.g. `await import('@aws-sdk/client-sns')`). */
export function serviceModelOf(sdk: Readonly<Record<string, unknown>>): ServiceModel {
  const operations = new Map<string, OperationModel>();
  const errors = new Map<string, ErrorModel>();
  for (const value of Object.values(sdk)) {
    if (!Array.isArray(value)) continue;
    const schema = value as SchemaArray;
    if (schema[0] === OPERATION) {
      const name = schema[2] as string;
      operations.set(name, {
        name,
        traits: (schema[3] ?? {}) as Record<string, unknown>,
        input: NormalizedSchema.of(resolve(schema[4]) as never),
        output: NormalizedSchema.of(resolve(schema[5]) as never),
      });
    } else if (schema[0] === ERROR) {
      const shape = schema[2] as string;
      const traits = (schema[3] ?? {}) as {
        awsQueryError?: [string, number];
        httpError?: number;
        error?: string;
      };
      const model: ErrorModel = {
        shape,
        code: traits.awsQueryError?.[0] ?? shape,
        httpStatus: traits.awsQueryError?.[1] ?? traits.httpError ?? (traits.error === 'server' ? 500 : 400),
        fault: traits.error === 'server' ? 'Receiver' : 'Sender',
        schema: NormalizedSchema.of(schema as never),
      };
      errors.set(model.code, model);
      errors.set(shape, model);
    }
  }
  return { operations, errors };
}

function resolve(ref: unknown): unknown {
  return typeof ref === 'function' ? (ref as () => unknown)() : ref;
}

/** Whether an operation's output is Smithy's unit (no Result element at all on the query wire). */
export function isUnitOutput(operation: OperationModel): boolean {
  return operation.output.isUnitSchema();
}
