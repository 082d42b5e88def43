import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  copyHandlerBundle,
  handlerBundle,
  type HandlerBundleOptions,
  HANDLER_BUNDLING,
  projectRootOf,
} from '../build-cache/handler-bundle';
import { Problems } from '../validation';
import { LAMBDA_RESERVED_VARIABLES } from '../lambda-reserved-variables';
import { acknowledgeNagRule } from './nag-acknowledgment';

/** Properties of a function made by {@link createHandlerFunction}. */
export interface HandlerFunctionProps {
  /** Path of the TypeScript file that exports the handler. */
  readonly entry: string;
  /** Name of the exported handler function. @default 'handler' */
  readonly handler?: string;
  /** Longest an invocation may run. @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** Memory in MiB (CPU scales with it). @default 256 */
  readonly memorySize?: number;
  /** Extra environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Powertools service name, shown on every log line. @default the id of the enclosing construct */
  readonly serviceName?: string;
  /** How long the function's log group keeps events. @default RetentionDays.ONE_WEEK */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The Lambda runtime every handler uses: the newest Node.js that Lambda offers. */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Lambda environment variable names: a letter, then letters, digits and underscores. */
const VARIABLE_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The variables the Lambda runtime sets, which a construct's value variable may not be: AWS's reserved ones, and
 * TZ, which AWS allows but which sets the function's time zone.
 */
const RESERVED_VARIABLES: ReadonlySet<string> = new Set([...LAMBDA_RESERVED_VARIABLES, 'TZ']);

/** A prop that names the environment variable through which a construct hands its function one value. */
export interface ValueVariable {
  /** The prop, as messages name it (`queueUrlVariable`). */
  readonly prop: string;
  /** The name given in the prop, if any. */
  readonly name: string | undefined;
  /** The name used when the prop is not set (`QUEUE_URL`). */
  readonly defaultName: string;
  /** What the variable carries, as messages say it (`the queue URL`). */
  readonly carries: string;
}

/**
 * Records a problem when the variable is not a valid Lambda environment variable name, is one the Lambda
 * runtime sets, or is already set in `environment`, where one of the two values would silently replace the other.
 */
export function checkValueVariable(
  problems: Problems,
  variable: ValueVariable,
  environment: HandlerFunctionProps['environment'],
): void {
  const { prop, name } = variable;
  if (name !== undefined) {
    problems.check(
      !VARIABLE_PATTERN.test(name),
      () =>
        `${prop} must start with a letter and hold only letters, digits and underscores, but '${name}' was provided`,
    );
    problems.check(
      RESERVED_VARIABLES.has(name),
      () => `${prop} '${name}' is a variable the Lambda runtime sets, which a function may not`,
    );
  }
  const used = name ?? variable.defaultName;
  problems.check(
    environment !== undefined && Object.hasOwn(environment, used),
    () => `environment already sets ${used}, which would hide ${variable.carries}: choose another ${prop}`,
  );
}

/** {@link checkValueVariable} alone: the validation of a construct whose other props are its function's. */
export function validateValueVariable(
  variable: ValueVariable,
  environment: HandlerFunctionProps['environment'],
): Problems {
  const problems = new Problems();
  checkValueVariable(problems, variable, environment);
  return problems;
}

/** {@link createHandlerFunction}, with `value` in the environment variable that `variable` names. */
export function createValueHandlerFunction(
  scope: Construct,
  props: HandlerFunctionProps,
  variable: ValueVariable,
  value: string,
): nodejs.NodejsFunction {
  const name = variable.name ?? variable.defaultName;
  return createHandlerFunction(scope, { ...props, environment: { ...props.environment, [name]: value } });
}

/**
 * Creates, under `scope`, a Node.js Lambda function (`Function`) with this project's defaults: current
 * runtime, ARM64, the AWS SDK bundled in (so the code that runs locally is the code that deploys), its own
 * log group (`LogGroup`) with a retention, and a role (`Role`) that may only write to that log group until
 * grants add more. The cdk-nag findings every handler keeps on purpose are acknowledged on them, with the reasons.
 */
export function createHandlerFunction(scope: Construct, props: HandlerFunctionProps): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_WEEK,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy, which allows every log group.
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${scope.node.path}`,
  });
  logGroup.grantWrite(role);
  const handler = props.handler ?? 'handler';
  const fn = new nodejs.NodejsFunction(scope, 'Function', {
    code: bundledCode(scope, props.entry),
    // NodejsFunction's own naming: the bundle is index.js, so `handler` becomes `index.handler`
    handler: handler.includes('.') ? handler : `index.${handler}`,
    runtime: HANDLER_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    timeout: props.timeout ?? Duration.seconds(30),
    memorySize: props.memorySize ?? 256,
    role,
    logGroup,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: props.serviceName ?? scope.node.id,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ...props.environment,
    },
  });
  acknowledgeHandlerFindings(fn, logGroup, role);
  return fn;
}

/**
 * The handler's code: NodejsFunction's bundle (index.js and index.js.map), made by esbuild's API from the checkout's
 * bundle cache (lib/bundling) instead of an `npx esbuild` per function. The asset hash is the bundle's own hash, so
 * CDK reuses an asset folder already in cdk.out and the same code has the same hash in every assembly.
 */
function bundledCode(scope: Construct, entry: string): lambda.Code {
  const file = path.resolve(entry);
  const projectRoot = projectRootOf(file);
  const problems = new Problems();
  problems.check(
    !/\.(jsx?|tsx?|cjs|cts|mjs|mts)$/.test(file),
    () => `entry must be a JavaScript or TypeScript file, but '${entry}' was provided`,
  );
  problems.check(!existsSync(file), () => `entry '${entry}' does not exist`);
  problems.check(
    projectRoot === undefined,
    () => `entry '${entry}' is in no project: no package-lock.json above it`,
  );
  problems.throwIfAny(`Handler function '${scope.node.path}'`);
  const options: HandlerBundleOptions = {
    entry: file,
    projectRoot: projectRoot as string,
    ...HANDLER_BUNDLING,
  };
  // a test app that skips bundling (aws:cdk:bundling-stacks) gets CDK's stand-in hash and no bundle, as before
  const bundle = Stack.of(scope).bundlingRequired ? handlerBundle(options) : undefined;
  return lambda.Code.fromAsset(options.projectRoot, {
    assetHash: bundle?.hash,
    assetHashType: bundle === undefined ? AssetHashType.OUTPUT : AssetHashType.CUSTOM,
    bundling: {
      // never pulled: local bundling always succeeds or fails with esbuild's errors, never falls back to Docker
      image: DockerImage.fromRegistry('dummy'),
      local: {
        tryBundle: (outputDir) => {
          copyHandlerBundle(bundle ?? handlerBundle(options), outputDir);
          return true;
        },
      },
    },
  });
}

/** The compliance findings every handler keeps on purpose, each acknowledged on its resource. */
function acknowledgeHandlerFindings(
  fn: nodejs.NodejsFunction,
  logGroup: logs.LogGroup,
  role: iam.Role,
): void {
  acknowledgeNagRule(
    role.node.findChild('DefaultPolicy'),
    'IAMNoInlinePolicy',
    "CDK writes this role's grants into one AWS::IAM::Policy attached to this role alone, each statement naming the function's own log group, queue, topic or objects; a customer-managed policy would hold the same statements and be attached to nothing else",
  );
  acknowledgeNagRule(
    logGroup,
    'CloudWatchLogGroupEncrypted',
    'CloudWatch Logs encrypts this log group at rest with its own keys; the handler logs ids, counts and errors, not message bodies, and who may read them is decided by logs:GetLogEvents on this group, which a customer-managed key would only repeat',
  );
  acknowledgeNagRule(
    fn,
    'LambdaInsideVPC',
    'The function only calls AWS APIs (SQS, SNS, S3, CloudWatch Logs) over TLS with its role, and nothing reaches it over a network; in a VPC without internet access it would need an interface endpoint per service (or a NAT gateway), each costing more per hour than the function does in a month',
  );
  acknowledgeNagRule(
    fn,
    'LambdaConcurrency',
    "Reserved concurrency comes out of the account's pool, of which Lambda always leaves 100 unreserved: in an account with a low quota (new accounts may have 10) none can be reserved and the stack would not deploy; queue consumers are bounded by their event source's maxConcurrency instead",
  );
  acknowledgeNagRule(
    fn,
    'LambdaTracing',
    "The handlers carry no X-Ray SDK or tracer, so active tracing would record only Lambda's own segment, which the function's Duration and Errors metrics already show, and would grant the role xray:PutTraceSegments on every resource",
  );
}
