/**
 * The in-process emulator: one HTTP server, one port, every service. Tests start it on port 0:
 *
 *   const emu = await startEmulator({ port: 0, clock: new ManualClock() });
 *   new SQSClient({ endpoint: emu.endpoint, region: emu.region, credentials: ... });
 *   await emu.stop();
 */
import { ActivityLog } from './activity';
import { AutoScalingService } from './autoscaling/service';
import { type Clock, SystemClock } from './clock';
import { CloudFormationService } from './cloudformation/service';
import { KinesisMetricsPublisher } from './cloudwatch/kinesis-metrics';
import { CloudWatchService } from './cloudwatch/service';
import { controlRoute } from './control/control-api';
import { resetEmulator } from './control/reset';
import { WebConsole } from './console/web-console';
import { DeliveryTracker, FunctionRegistry } from './event-delivery';
import type { IntegrationGuard } from './kit/arn-delivery';
import { FirehoseService } from './firehose/service';
import { type KinesisLimits, KinesisService } from './kinesis/service';
import { LambdaService } from './lambda/service';
import { LogsService } from './logs/service';
import { type FunctionLogLine, printFunctionLog } from './lambda/function-runtime';
import { Authorizer, type IamMode } from './iam/authorizer';
import { type ConnectionLimits, listen } from './protocol/http-server';
import { RequestGuard, WILDCARD_HOSTS } from './protocol/request-guard';
import { type LoggedCall, RequestLog, type RequestLogMode } from './protocol/request-log';
import { ProtocolRouter } from './protocol/router';
import { serviceProtocols } from './protocol/service-protocols';
import { postHttpNotification } from './protocol/sns-http-delivery';
import { S3Service } from './s3/service';
import { Persistence } from './state/persistence';
import { SnsService } from './sns/service';
import { LOCAL_ACCOUNT_ID, SqsService } from './sqs/service';
import { SsmService } from './ssm/service';
import { StsService } from './sts/service';

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 4566 */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Source of time for every service. @default a SystemClock */
  readonly clock?: Clock;
  /** Region in ARNs. @default process.env.AWS_REGION, else 'us-east-1' */
  readonly region?: string;
  /** Receives every line a Lambda function prints. @default print it prefixed with the function name */
  readonly onFunctionLog?: (line: FunctionLogLine) => void;
  /** Hosts (names or IPs) SNS HTTP/S subscriptions may deliver to, beyond the loopback addresses. @default none */
  readonly allowOutbound?: readonly string[];
  /** Names clients may address the emulator by in `Host`, beyond loopback and `host`. @default none */
  readonly allowHosts?: readonly string[];
  /** Browser origins allowed to call it, with CORS headers; every other web page is refused. @default none */
  readonly allowOrigins?: readonly string[];
  /**
   * AWS's rule of one PurgeQueue per queue every 60 seconds (a second answers PurgeQueueInProgress). `false`
   * lifts it for test suites that purge between tests, as other local SQS servers allow. @default true
   */
  readonly purgeLimit?: boolean;
  /** Kinesis's per-shard throughput limits (tests lower them). @default AWS's: 1 MiB/s and 1,000 records/s in, 5 reads/s and 2 MiB/s out */
  readonly kinesisLimits?: KinesisLimits;
  /** Header, body and request timeouts and the connection cap. @default DEFAULT_CONNECTION_LIMITS */
  readonly connectionLimits?: ConnectionLimits;
  /** S3's byte limits: in memory (default 1 GiB) and per PutObject/UploadPart body (default 5 GiB, as AWS). */
  readonly s3Limits?: { readonly maxStoredBytes?: number; readonly maxObjectBytes?: number };
  /**
   * The request log: `requests` logs every call, `failures` only 5xx answers and what is not emulated (501s,
   * unknown operations and services). @default 'failures'
   */
  readonly requestLog?: RequestLogMode;
  /** Receives each request-log line. @default write it to standard error */
  readonly onRequestLog?: (line: string, call: LoggedCall) => void;
  /**
   * Keeps the state in this directory across restarts (`--state-dir`): journal and snapshots, each answer sent
   * only once its changes are on disk. A directory of another format version is refused. @default memory only
   */
  readonly stateDirectory?: string;
  /**
   * Permissions (`--iam`): `enforce` refuses what AWS would deny to the app's own functions, instances and
   * integrations, `audit` only reports it, `off` allows everything. @default 'off'
   */
  readonly iam?: IamMode;
}

/** What every emulated service is built from. */
export interface ServiceContext {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** `http://HOST:PORT`, the base of URLs the services hand out (queue URLs). */
  readonly endpoint: string;
}

export interface Emulator extends ServiceContext {
  readonly host: string;
  readonly port: number;
  /** Names other than loopback that the emulator answers to (its addresses when bound to every interface). */
  readonly servedNames: readonly string[];
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly s3: S3Service;
  /** CloudWatch: metrics (AWS/SQS every emulated minute), metric math, alarms and their actions. */
  readonly cloudwatch: CloudWatchService;
  /** CloudWatch Logs: log groups and streams; every function's output lands here, as on AWS. */
  readonly logs: LogsService;
  /** Lambda functions (run from their code directories), Invoke, event source mappings. */
  readonly lambda: LambdaService;
  /** Auto Scaling groups whose instances are local workers, scaled by CloudWatch alarms. */
  readonly autoscaling: AutoScalingService;
  /** STS: who is calling, and the temporary credentials it issued (AssumeRole, GetSessionToken). */
  readonly sts: StsService;
  /** SSM Parameter Store: parameters with versions, labels and tags. */
  readonly ssm: SsmService;
  /** Kinesis Data Streams: streams, shards, records, resharding, retention. */
  readonly kinesis: KinesisService;
  /** CloudFormation: stacks and change sets, deployed by the same engine as `npm start`. */
  readonly cloudformation: CloudFormationService;
  /** Firehose: delivery streams (DirectPut or from a Kinesis stream) buffering into S3, with a Lambda transform. */
  readonly firehose: FirehoseService;
  /** One event per upload, send, dead-lettering, publish and invocation (the live log of `npm start`). */
  readonly activity: ActivityLog;
  /** The function-invocation hook: SNS and S3 invoke Lambda functions through it (register handlers here). */
  readonly functions: FunctionRegistry;
  /** Runs cross-service work after the call that caused it has answered; `idle()` waits for it. */
  readonly deliveries: DeliveryTracker;
  /** The web console at `/_console/` (its `observe()` starts remembering events before the first visit). */
  readonly webConsole: WebConsole;
  /** The `--state-dir` behind this emulator, if any (`rewrite()` compacts it into a fresh snapshot). */
  readonly persistence: Persistence | undefined;
  /** Permissions (`--iam`): credentials of role sessions, policy evaluation, integrations' checks. */
  readonly iam: Authorizer;
  /** Resolves when no cross-service delivery (SNS fan-out, S3 notification) is running. */
  idle(): Promise<void>;
  /** Back to the state right after start (`POST /_emulator/reset`): every service emptied, then the hooks run. */
  reset(): Promise<void>;
  /** Runs `hook` after each reset's wipe (local mode deploys its stacks again); returns its remover. */
  onReset(hook: () => Promise<void>): () => void;
  stop(): Promise<void>;
}

export const DEFAULT_PORT = 4566;
export const DEFAULT_HOST = '127.0.0.1';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  // first: a state directory that cannot be used is refused before anything starts
  const persistence =
    options.stateDirectory === undefined ? undefined : Persistence.open(options.stateDirectory);
  const clock = options.clock ?? new SystemClock();
  const region = options.region ?? (process.env.AWS_REGION || 'us-east-1');
  const host = options.host ?? DEFAULT_HOST;
  let endpoint = '';
  const activity = new ActivityLog();
  // the stacks' resources live in this emulator, known once it listens
  let self: Emulator | undefined;
  const iam = new Authorizer({
    mode: options.iam ?? 'off',
    region,
    accountId: LOCAL_ACCOUNT_ID,
    activity,
    emulator: () => self as Emulator,
  });
  // what every service is told: where and when it runs, and where its events go
  const local = { clock, region, accountId: LOCAL_ACCOUNT_ID, activity };
  const sqs = new SqsService({ ...local, endpoint: () => endpoint, purgeLimit: options.purgeLimit });
  const deliveries = new DeliveryTracker();
  // integrations act as their service principals (--iam): the destination's policies decide
  const integrations: IntegrationGuard | undefined =
    iam.mode === 'off'
      ? undefined
      : (call) => {
          const decision = iam.authorizeIntegration(call);
          return decision.allowed ? undefined : decision.reason;
        };
  const functions = new FunctionRegistry(deliveries);
  const sns = new SnsService({
    ...local,
    endpoint: () => endpoint,
    sqs,
    functions,
    deliveries,
    postHttp: postHttpNotification,
    allowOutbound: options.allowOutbound ?? [],
    integrations,
  });
  const s3 = new S3Service({ ...local, sqs, sns, functions, deliveries, integrations, ...options.s3Limits });
  const logs = new LogsService({ clock, region, accountId: LOCAL_ACCOUNT_ID });
  const lambda = new LambdaService({
    ...local,
    endpoint: () => endpoint,
    sqs,
    sns,
    s3,
    logs,
    functions,
    deliveries,
    credentialsFor: (role, session) => iam.credentialsFor(role, session),
    roleMayAccess:
      iam.mode === 'off'
        ? undefined
        : (role, action, resource) => iam.authorizeRoleAction(role, action, resource),
    // Kinesis is made after Lambda; a mapping asks for it when it starts
    kinesis: () => kinesis,
    // the console keeps each invocation's lines beside it
    onLog: (line) => {
      webConsole.observations.recordFunctionLog(line);
      (options.onFunctionLog ?? printFunctionLog)(line);
    },
  });
  const cloudwatch = new CloudWatchService({
    clock,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    sns,
    sqs,
    activity,
    integrations,
  });
  const autoscaling = new AutoScalingService({ clock, region, accountId: LOCAL_ACCOUNT_ID, cloudwatch, sns });
  const sts = new StsService({
    clock,
    accountId: LOCAL_ACCOUNT_ID,
    roleSessions: (accessKeyId) => iam.sessionOf(accessKeyId),
  });
  const kinesis = new KinesisService({
    clock,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    limits: options.kinesisLimits,
  });
  // AWS/Kinesis metrics every emulated minute, as the AWS/SQS ones
  const kinesisMetrics = new KinesisMetricsPublisher(kinesis, cloudwatch);
  const ssm = new SsmService({
    clock,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    callerArn: (caller) => sts.identityOf(caller).arn,
  });
  const firehose = new FirehoseService({
    clock,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    deliveries,
    writeObject: (bucket, key, body) => {
      s3.putObject(
        { bucket, key, body, headers: { contentType: 'application/octet-stream' }, metadata: {} },
        { requestId: 'firehose-delivery', hostId: 'firehose-delivery', sourceIp: '127.0.0.1' },
      );
    },
    invokeFunction: async (functionArn, event) => {
      try {
        const output = await lambda.invoke(functionArn, event);
        return output.functionError ? { ok: false } : { ok: true, payload: output.payload };
      } catch {
        return { ok: false };
      }
    },
    // a delivery stream reads its source through the Kinesis service's own operations
    kinesis: () => kinesis,
  });
  const cloudformation = new CloudFormationService({
    clock,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    emulator: () => self as Emulator,
  });
  const webConsole = new WebConsole(() => self as Emulator);
  const router = new ProtocolRouter();
  if (iam.mode !== 'off') router.admission = (request) => iam.admit(request);
  router.registerLocal(webConsole);
  router.registerLocal(controlRoute(() => self as Emulator));
  // each service's protocol (its SDK model) loads on the first request routed to it; S3, the catch-all, last
  const protocols = serviceProtocols({
    sqs,
    sns,
    lambda,
    cloudwatch,
    logs,
    autoscaling,
    sts,
    ssm,
    kinesis,
    cloudformation,
    firehose,
    s3,
  });
  for (const protocol of protocols) router.register(protocol);
  const closeServices = async () => {
    webConsole.close();
    firehose.close();
    await lambda.close();
    autoscaling.close();
    kinesisMetrics.close();
    cloudwatch.close();
    sqs.close();
    sns.close();
  };
  const guard = new RequestGuard({
    listenHost: host,
    allowHosts: options.allowHosts,
    allowOrigins: options.allowOrigins,
  });
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    const requestLog = new RequestLog(
      options.requestLog ?? 'failures',
      options.onRequestLog ?? ((line) => process.stderr.write(`${line}\n`)),
    );
    // kept functions' code is unpacked (asynchronous) before listening: the restore after it is synchronous
    await persistence?.unpack(lambda);
    server = await listen(
      router,
      host,
      options.port ?? DEFAULT_PORT,
      guard,
      options.connectionLimits,
      requestLog,
      persistence,
    );
  } catch (error) {
    // a port in use: the services' clock timers must not keep the process alive
    await closeServices();
    await persistence?.close();
    throw error;
  }
  // a wildcard listen address is not something a client can connect to
  const urlHost = WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  endpoint = `http://${urlHost}:${server.port}`;
  if (persistence) {
    // synchronous, right after listening: no request is served before the state is back (queue URLs need the port)
    try {
      persistence.restore({
        clock,
        sqs,
        sns,
        ssm,
        s3,
        cloudformation,
        cloudwatch,
        logs,
        lambda,
        autoscaling,
        endpoint,
      });
    } catch (error) {
      await server.close();
      await closeServices();
      await persistence.close();
      throw error;
    }
  }
  let stopped: Promise<void> | undefined;
  const resetHooks = new Set<() => Promise<void>>();
  return (self = {
    clock,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    endpoint,
    host,
    port: server.port,
    servedNames: guard.servedNames,
    sqs,
    sns,
    s3,
    cloudwatch,
    logs,
    lambda,
    autoscaling,
    sts,
    ssm,
    kinesis,
    cloudformation,
    firehose,
    activity,
    functions,
    deliveries,
    webConsole,
    persistence,
    iam,
    idle: () => deliveries.idle(),
    reset: async () => {
      await resetEmulator(self as Emulator);
      for (const hook of resetHooks) await hook();
      // what the redeployment set off (S3's test events) has arrived when the reset answers
      await deliveries.idle();
    },
    onReset: (hook) => {
      resetHooks.add(hook);
      return () => resetHooks.delete(hook);
    },
    stop: () => {
      stopped ??= (async () => {
        await closeServices();
        await server.close();
        // after the server: no upload is still writing into S3's temp directory
        s3.close();
        await persistence?.close();
      })();
      return stopped;
    },
  });
}
