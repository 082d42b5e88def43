/// <reference lib="dom" />
/**
 * Queues: the list with the control API's numbers, live; a queue's page with its attributes and redrive policy,
 * send, poll (a receive with a visibility timeout, as the AWS console polls), peek (no receive), message details,
 * delete, purge, and the dead-letter queue's redrive (message move tasks).
 */
import { ApiError, getJson, type PeekedMessage, postJson, type QueueSummary, sqs } from './api';
import { append, button, details, field, h, link, pretty, replace, statusLine, table, time } from './dom';
import type { PageContext } from './main';

interface QueuePage {
  readonly name: string;
  readonly url: string;
  readonly attributes: Record<string, string>;
  readonly tags: Record<string, string>;
  readonly redrivePolicy?: { deadLetterTargetArn?: string; maxReceiveCount?: number };
  readonly purgeRefusal?: string;
  readonly moveTasks: ReadonlyArray<{
    TaskHandle?: string;
    Status?: string;
    ApproximateNumberOfMessagesMoved?: number;
    ApproximateNumberOfMessagesToMove?: number;
    DestinationArn?: string;
    FailureReason?: string;
    StartedTimestamp?: number;
  }>;
}

interface ReceivedMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly Body: string;
  readonly Attributes?: Record<string, string>;
  readonly MessageAttributes?: Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: string }
  >;
}

const nameOf = (arn: string | undefined) => (arn ? arn.slice(arn.lastIndexOf(':') + 1) : '');

export async function queuesPage(context: PageContext): Promise<void> {
  if (context.params[0] !== undefined) return queuePage(context, context.params[0]);
  const body = h('div', {});
  append(
    context.main,
    h('h1', {}, 'Queues'),
    h('p', {}, 'Message counts update live (the same numbers as npx decoupled status).'),
    body,
  );
  const draw = async () => {
    const { queues } = await getJson<{ queues: QueueSummary[] }>('/_emulator/queues');
    if (!context.current()) return;
    replace(
      body,
      table(
        'Queues',
        ['Queue', 'Visible', 'In flight', 'Delayed', 'Oldest (s)', 'Dead-letter queue', 'DLQ depth'],
        queues.map((q) => [
          link(`#/queues/${encodeURIComponent(q.name)}`, q.name),
          String(q.visible),
          String(q.inFlight),
          String(q.delayed),
          q.oldestAgeSeconds === null ? '—' : String(q.oldestAgeSeconds),
          q.deadLetterQueue
            ? link(`#/queues/${encodeURIComponent(q.deadLetterQueue)}`, q.deadLetterQueue)
            : '—',
          q.deadLetterQueue ? String(queues.find((d) => d.name === q.deadLetterQueue)?.visible ?? '—') : '—',
        ]),
      ),
    );
  };
  context.every(2_000, draw);
  context.onEvent(() => void draw());
}

async function queuePage(context: PageContext, name: string): Promise<void> {
  const page = await getJson<QueuePage>(`/_console/api/queue/${encodeURIComponent(name)}`);
  if (!context.current()) return;
  const fifo = page.attributes.FifoQueue === 'true';
  const counts = h('div', {});
  const summaryOf = async () => {
    const { queues } = await getJson<{ queues: QueueSummary[] }>('/_emulator/queues');
    return queues.find((q) => q.name === name);
  };
  const drawCounts = async () => {
    const summary = await summaryOf();
    if (!summary || !context.current()) return;
    replace(
      counts,
      details([
        ['Visible', String(summary.visible)],
        ['In flight', String(summary.inFlight)],
        ['Delayed', String(summary.delayed)],
        ['Oldest message (s)', summary.oldestAgeSeconds === null ? '—' : String(summary.oldestAgeSeconds)],
        [
          'Dead-letter source queues',
          summary.deadLetterSourceQueues.length
            ? h(
                'span',
                {},
                ...summary.deadLetterSourceQueues.flatMap((s, i) => [
                  i > 0 ? ', ' : '',
                  link(`#/queues/${encodeURIComponent(s)}`, s),
                ]),
              )
            : '—',
        ],
      ]),
    );
  };
  const redrive = page.redrivePolicy;
  append(
    context.main,
    h('p', {}, link('#/queues', '← Queues')),
    h('h1', {}, name),
    h('section', { 'aria-labelledby': 'counts-h' }, h('h2', { id: 'counts-h' }, 'Messages'), counts),
    h(
      'section',
      { 'aria-labelledby': 'attrs-h' },
      h('h2', { id: 'attrs-h' }, 'Details'),
      details([
        ['URL', page.url],
        ['ARN', page.attributes.QueueArn ?? ''],
        ['Type', fifo ? 'FIFO' : 'Standard'],
        ['Visibility timeout (s)', page.attributes.VisibilityTimeout ?? ''],
        ['Retention (s)', page.attributes.MessageRetentionPeriod ?? ''],
        ['Receive wait (s)', page.attributes.ReceiveMessageWaitTimeSeconds ?? ''],
        [
          'Encryption',
          page.attributes.KmsMasterKeyId ??
            (page.attributes.SqsManagedSseEnabled === 'true' ? 'SSE-SQS' : 'none'),
        ],
        [
          'Redrive policy',
          redrive?.deadLetterTargetArn
            ? h(
                'span',
                {},
                'after ',
                String(redrive.maxReceiveCount ?? ''),
                ' receives to ',
                link(
                  `#/queues/${encodeURIComponent(nameOf(redrive.deadLetterTargetArn))}`,
                  nameOf(redrive.deadLetterTargetArn),
                ),
              )
            : 'none',
        ],
        [
          'Tags',
          Object.entries(page.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '—',
        ],
      ]),
    ),
    sendSection(page, fifo),
    pollSection(page),
    peekSection(name),
    purgeSection(page),
  );
  if (page.attributes.QueueArn) append(context.main, redriveSection(context, page));
  context.every(2_000, drawCounts);
  context.onEvent(() => void drawCounts());
}

function sendSection(page: QueuePage, fifo: boolean): HTMLElement {
  const body = h('textarea', { rows: 5, required: true, id: 'send-body' });
  const attrName = h('input', { type: 'text', id: 'send-attr-name', autocomplete: 'off' });
  const attrType = h(
    'select',
    { id: 'send-attr-type' },
    ...['String', 'Number'].map((t) => h('option', { value: t }, t)),
  );
  const attrValue = h('input', { type: 'text', id: 'send-attr-value', autocomplete: 'off' });
  const group = h('input', { type: 'text', id: 'send-group' });
  const dedup = h('input', { type: 'text', id: 'send-dedup' });
  const delay = h('input', { type: 'number', min: 0, max: 900, id: 'send-delay', value: '' });
  const status = statusLine();
  const send = async () => {
    const input: Record<string, unknown> = { QueueUrl: page.url, MessageBody: body.value };
    if (attrName.value) {
      input.MessageAttributes = {
        [attrName.value]: { DataType: attrType.value, StringValue: attrValue.value },
      };
    }
    if (group.value) input.MessageGroupId = group.value;
    if (dedup.value) input.MessageDeduplicationId = dedup.value;
    if (delay.value) input.DelaySeconds = Number(delay.value);
    try {
      const result = await sqs<{ MessageId: string }>('SendMessage', input);
      status.say(`Sent message ${result.MessageId}.`);
    } catch (error) {
      status.say(String(error), true);
    }
  };
  return h(
    'section',
    { 'aria-labelledby': 'send-h' },
    h('h2', { id: 'send-h' }, 'Send a message'),
    field('Message body', body),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Message attribute (optional)'),
      h('div', { class: 'row' }, field('Name', attrName), field('Type', attrType), field('Value', attrValue)),
    ),
    fifo
      ? h('div', { class: 'row' }, field('Message group ID', group), field('Deduplication ID', dedup))
      : null,
    fifo ? null : field('Delay (seconds)', delay),
    button('Send message', () => void send(), 'primary'),
    status,
  );
}

function pollSection(page: QueuePage): HTMLElement {
  const visibility = h('input', { type: 'number', min: 0, max: 43_200, value: '30', id: 'poll-visibility' });
  const max = h('input', { type: 'number', min: 1, max: 10, value: '10', id: 'poll-max' });
  const status = statusLine();
  const results = h('div', {});
  const detail = h('div', { class: 'message-detail' });
  const poll = async () => {
    try {
      const { Messages = [] } = await sqs<{ Messages?: ReceivedMessage[] }>('ReceiveMessage', {
        QueueUrl: page.url,
        MaxNumberOfMessages: Number(max.value) || 10,
        VisibilityTimeout: Number(visibility.value),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      });
      status.say(`Received ${Messages.length} message${Messages.length === 1 ? '' : 's'}.`);
      replace(detail);
      replace(
        results,
        table(
          'Received messages',
          ['Message ID', 'Sent', 'Receive count', 'Body', 'Actions'],
          Messages.map((m) => {
            const remove = button('Delete', () => void deleteMessage(m, remove), 'danger');
            return [
              m.MessageId,
              time(Number(m.Attributes?.SentTimestamp)),
              m.Attributes?.ApproximateReceiveCount ?? '',
              h('code', { class: 'preview' }, m.Body.length > 80 ? `${m.Body.slice(0, 80)}…` : m.Body),
              h(
                'span',
                { class: 'actions' },
                button('Details', () => showDetail(m), ''),
                ' ',
                remove,
              ),
            ];
          }),
        ),
      );
    } catch (error) {
      status.say(String(error), true);
    }
  };
  const showDetail = (m: ReceivedMessage) => {
    const heading = h('h3', { tabindex: -1 }, `Message ${m.MessageId}`);
    replace(
      detail,
      heading,
      h('h4', {}, 'Body'),
      h('pre', { class: 'body' }, pretty(m.Body)),
      table(
        'Message attributes',
        ['Name', 'Type', 'Value'],
        Object.entries(m.MessageAttributes ?? {}).map(([k, a]) => [
          k,
          a.DataType,
          a.StringValue ?? a.BinaryValue ?? '',
        ]),
      ),
      table(
        'System attributes',
        ['Name', 'Value'],
        Object.entries(m.Attributes ?? {}).map(([k, v]) => [
          k,
          k.endsWith('Timestamp') ? `${v} (${time(Number(v))})` : v,
        ]),
      ),
    );
    heading.focus();
  };
  const deleteMessage = async (m: ReceivedMessage, control: HTMLButtonElement) => {
    try {
      await sqs('DeleteMessage', { QueueUrl: page.url, ReceiptHandle: m.ReceiptHandle });
      control.disabled = true;
      control.textContent = 'Deleted';
      status.say(`Deleted message ${m.MessageId}.`);
    } catch (error) {
      status.say(String(error), true);
    }
  };
  return h(
    'section',
    { 'aria-labelledby': 'poll-h' },
    h('h2', { id: 'poll-h' }, 'Receive messages'),
    h(
      'p',
      {},
      'Polling receives messages as a consumer would: their receive count goes up and they stay in flight for the visibility timeout.',
    ),
    h('div', { class: 'row' }, field('Visibility timeout (s)', visibility), field('Maximum messages', max)),
    button('Poll for messages', () => void poll(), 'primary'),
    status,
    results,
    detail,
  );
}

function peekSection(name: string): HTMLElement {
  const status = statusLine();
  const results = h('div', {});
  const peek = async () => {
    try {
      const { messages } = await getJson<{ messages: PeekedMessage[] }>(
        `/_emulator/queues/${encodeURIComponent(name)}/messages?max=50`,
      );
      status.say(`${messages.length} message${messages.length === 1 ? '' : 's'} (nothing was received).`);
      replace(
        results,
        table(
          'Messages in the queue',
          ['Message ID', 'State', 'Receive count', 'Sent', 'Visible at', 'Body'],
          messages.map((m) => [
            m.messageId,
            m.state,
            String(m.receiveCount),
            time(m.sentTimestamp),
            time(m.visibleAt),
            h('code', { class: 'preview' }, m.body.length > 80 ? `${m.body.slice(0, 80)}…` : m.body),
          ]),
        ),
      );
    } catch (error) {
      status.say(String(error), true);
    }
  };
  return h(
    'section',
    { 'aria-labelledby': 'peek-h' },
    h('h2', { id: 'peek-h' }, 'Peek'),
    h('p', {}, 'Lists the messages without receiving them: no receive count, no visibility change.'),
    button('Peek at messages', () => void peek()),
    status,
    results,
  );
}

function purgeSection(page: QueuePage): HTMLElement {
  const status = statusLine();
  const confirm = button('Yes, purge every message', () => void purge(), 'danger');
  confirm.hidden = true;
  const purge = async () => {
    confirm.hidden = true;
    try {
      await postJson('/_console/api/queues/purge', { QueueUrl: page.url });
      status.say('Purged: every message is gone.');
    } catch (error) {
      status.say(error instanceof ApiError ? `${error.code}: ${error.message}` : String(error), true);
    }
  };
  return h(
    'section',
    { 'aria-labelledby': 'purge-h' },
    h('h2', { id: 'purge-h' }, 'Purge'),
    page.purgeRefusal ? h('p', { class: 'note' }, page.purgeRefusal) : null,
    button(
      'Purge queue',
      () => {
        confirm.hidden = false;
        confirm.focus();
      },
      'danger',
    ),
    ' ',
    confirm,
    status,
  );
}

function redriveSection(context: PageContext, page: QueuePage): HTMLElement {
  const velocity = h('input', { type: 'number', min: 1, max: 500, id: 'redrive-velocity' });
  const status = statusLine();
  const tasks = h('div', {});
  const arn = page.attributes.QueueArn;
  const drawTasks = async () => {
    const { Results = [] } = await sqs<{ Results?: QueuePage['moveTasks'] }>('ListMessageMoveTasks', {
      SourceArn: arn,
      MaxResults: 10,
    }).catch((error: unknown) => {
      if (error instanceof ApiError) return { Results: [] };
      throw error;
    });
    if (!context.current()) return;
    replace(
      tasks,
      table(
        'Redrive tasks',
        ['Status', 'Moved', 'To move', 'Destination', 'Started', 'Action'],
        Results.map((t) => [
          t.Status ?? '',
          String(t.ApproximateNumberOfMessagesMoved ?? 0),
          String(t.ApproximateNumberOfMessagesToMove ?? ''),
          t.DestinationArn ? nameOf(t.DestinationArn) : 'source queues',
          time(t.StartedTimestamp),
          t.Status === 'RUNNING' && t.TaskHandle
            ? button('Cancel redrive', () => void cancel(t.TaskHandle as string))
            : (t.FailureReason ?? ''),
        ]),
      ),
    );
  };
  const start = async () => {
    const input: Record<string, unknown> = { SourceArn: arn };
    if (velocity.value) input.MaxNumberOfMessagesPerSecond = Number(velocity.value);
    try {
      await sqs('StartMessageMoveTask', input);
      status.say('Redrive started: messages move back to the queues they came from.');
      await drawTasks();
    } catch (error) {
      status.say(String(error), true);
    }
  };
  const cancel = async (handle: string) => {
    try {
      await sqs('CancelMessageMoveTask', { TaskHandle: handle });
      status.say('Redrive cancelled.');
      await drawTasks();
    } catch (error) {
      status.say(String(error), true);
    }
  };
  context.every(2_000, drawTasks);
  return h(
    'section',
    { 'aria-labelledby': 'redrive-h' },
    h('h2', { id: 'redrive-h' }, 'Dead-letter redrive'),
    h(
      'p',
      {},
      'A redrive (message move task) moves this queue’s messages back to their source queues, or stops with an error when this is not a dead-letter queue.',
    ),
    field('Messages per second (optional)', velocity),
    button('Start redrive', () => void start(), 'primary'),
    status,
    tasks,
  );
}
