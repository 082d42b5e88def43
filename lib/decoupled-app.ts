import { type App, Tags, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { CONFIG_KEYS, loadStageConfig, type StageConfig } from './config';
import { FanOutStack } from './stacks/fan-out-stack';
import { PipelineStack } from './stacks/pipeline-stack';
import { QueueBasicsStack } from './stacks/queue-basics-stack';
import { RequestResponseStack } from './stacks/request-response-stack';
import { StreamsStack } from './stacks/streams-stack';
import { WorkerFleetStack } from './stacks/worker-fleet-stack';

/** The stacks of the app, as {@link buildApp} creates them. */
export interface DecoupledApp {
  readonly config: StageConfig;
  readonly queueBasics: QueueBasicsStack;
  readonly pipeline: PipelineStack;
  readonly fanOut: FanOutStack;
  readonly workerFleet: WorkerFleetStack;
  readonly streams: StreamsStack;
  readonly requestResponse: RequestResponseStack;
}

/**
 * Adds every stack of the workshop to `app`, configured by its context (`-c stage=prod`), tagged, and
 * checked at synth by cdk-nag's AwsSolutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1 and Serverless
 * packs: an unacknowledged finding of any of them fails synth.
 */
export function buildApp(app: App): DecoupledApp {
  const context = Object.fromEntries(
    Object.values(CONFIG_KEYS).map((key) => [key, app.node.tryGetContext(key)]),
  );
  const config = loadStageConfig(context);
  const prefix = `decoupled-${config.stage}`;

  const queueBasics = new QueueBasicsStack(app, 'QueueBasics', {
    stackName: `${prefix}-queue-basics`,
    description: 'decoupled, chapter 1: standard, delay and FIFO queues with dead-letter queues',
    config,
  });
  const pipeline = new PipelineStack(app, 'Pipeline', {
    stackName: `${prefix}-pipeline`,
    description: 'decoupled, chapter 2: S3 → Lambda → SQS → Lambda pipeline with destinations and alarms',
    config,
  });
  const fanOut = new FanOutStack(app, 'FanOut', {
    stackName: `${prefix}-fan-out`,
    description:
      'decoupled, chapter 3: SNS fan-out to filtered SQS subscribers, S3 events through SNS, FIFO fan-out',
    config,
  });

  const workerFleet = new WorkerFleetStack(app, 'WorkerFleet', {
    stackName: `${prefix}-worker-fleet`,
    description: 'decoupled, chapter 4: an Auto Scaling group of EC2 queue workers scaled on the backlog',
    config,
  });
  const streams = new StreamsStack(app, 'Streams', {
    stackName: `${prefix}-streams`,
    description:
      'decoupled, chapter 5: a Kinesis clickstream, its Lambda consumer and Firehose archive, beside SQS FIFO and SNS',
    config,
  });

  const requestResponse = new RequestResponseStack(app, 'RequestResponse', {
    stackName: `${prefix}-request-response`,
    description: 'decoupled, chapter 6: request-response over SQS with temporary (virtual) queues',
    config,
  });

  Tags.of(app).add('project', 'decoupled');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new ServerlessChecks(app),
  );
  return { config, queueBasics, pipeline, fanOut, workerFleet, streams, requestResponse };
}
