/**
 * A function's output in CloudWatch Logs, as Lambda writes it: each line the function prints, in the Node.js
 * runtime's text format (`<ISO time>\t<request id>\tINFO\t<line>`), and START, END and REPORT lines around each
 * invocation, in the log group of its LoggingConfig (else `/aws/lambda/<name>`), one stream per execution
 * environment. `cdk watch` reads them back with FilterLogEvents.
 */
import type { Clock } from '../clock';
import type { LogsService } from '../logs/service';
import type { FunctionLogDestination, FunctionLogLine, InvocationLogEvent } from './function-runtime';

export class FunctionLogWriter {
  constructor(
    private readonly logs: LogsService,
    private readonly clock: Clock,
  ) {}

  /** A printed line; the runtime's prefix names the request (`undefined` while the code loads, as on AWS). */
  line(l: FunctionLogLine, destination: FunctionLogDestination): void {
    // AWS: console methods' lines carry time, request id and level; raw stdout writes (Powertools' JSON) do not
    const message =
      destination.level !== undefined
        ? `${this.isoNow()}\t${l.requestId ?? 'undefined'}\t${destination.level}\t${l.line}\n`
        : `${l.line}\n`;
    this.logs.ingest(destination.logGroupName, destination.logStreamName, [message]);
  }

  invocation(e: InvocationLogEvent): void {
    const id = e.requestId;
    if (e.phase === 'start') {
      this.logs.ingest(e.logGroupName, e.logStreamName, [`START RequestId: ${id} Version: ${e.version}\n`]);
      return;
    }
    const duration = e.durationMs ?? 0;
    const lines: string[] = [];
    if (e.error?.errorType === 'Sandbox.Timedout') {
      lines.push(`${this.isoNow()} ${id} Task timed out after ${e.timeoutSeconds.toFixed(2)} seconds\n`);
    } else if (e.error) {
      // AWS: the Node.js runtime logs an unhandled error before END
      const detail = {
        errorType: e.error.errorType,
        errorMessage: e.error.errorMessage,
        stack: e.error.trace ?? [],
      };
      lines.push(`${this.isoNow()}\t${id}\tERROR\tInvoke Error \t${JSON.stringify(detail)}\n`);
    }
    lines.push(
      `END RequestId: ${id}\n`,
      `REPORT RequestId: ${id}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(duration))} ms\tMemory Size: ${e.memorySize} MB\t\n`,
    );
    this.logs.ingest(e.logGroupName, e.logStreamName, lines);
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
