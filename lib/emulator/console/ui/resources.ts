/// <reference lib="dom" />
/**
 * Stacks (resources, outputs), topics (subscriptions, publish, the filter tester), buckets (browse, upload,
 * download, delete, notifications) and functions (invocations with their log lines, invoke with a test event).
 */
import { getJson, objectUrl, postJson, s3Object } from './api';
import { append, button, details, field, h, link, pretty, replace, statusLine, table, time } from './dom';
import type { PageContext } from './main';

// ----- stacks ----------------------------------------------------------------------------------------------------

interface Overview {
  readonly endpoint: string;
  readonly region: string;
  readonly stacks: ReadonlyArray<{
    readonly stackName: string;
    readonly status: string;
    readonly outputs: ReadonlyArray<{ key: string; value: string; description?: string }>;
    readonly resources: ReadonlyArray<{
      logicalId: string;
      type: string;
      physicalId: string;
      resourceStatus: string;
      reason?: string;
      status: string;
      why?: string;
      page?: string;
    }>;
  }>;
}

export async function stacksPage(context: PageContext): Promise<void> {
  const overview = await getJson<Overview>('/_console/api/overview');
  if (!context.current()) return;
  append(
    context.main,
    h('h1', {}, 'Stacks'),
    h('p', {}, `Emulator ${overview.endpoint}, region ${overview.region}.`),
    overview.stacks.length === 0
      ? h(
          'p',
          {},
          'No stacks: npm start deploys the app’s stacks, and cdk deploy works against the emulator too.',
        )
      : null,
  );
  for (const stack of overview.stacks) {
    append(
      context.main,
      h(
        'section',
        { class: 'stack' },
        h('h2', {}, `${stack.stackName} `, h('small', {}, stack.status)),
        table(
          `Outputs of ${stack.stackName}`,
          ['Output', 'Value'],
          stack.outputs.map((o) => [o.key, h('code', {}, o.value)]),
        ),
        table(
          `Resources of ${stack.stackName}`,
          ['Logical ID', 'Type', 'Physical name or URL', 'Locally'],
          stack.resources.map((r) => [
            r.logicalId,
            r.type,
            r.page ? link(r.page, r.physicalId) : h('code', {}, r.physicalId),
            h(
              'span',
              {},
              h('span', { class: `badge ${r.status}` }, r.status.replace('-', ' ')),
              r.why ? ` ${r.why}` : '',
              r.reason ? ` (${r.resourceStatus}: ${r.reason})` : '',
            ),
          ]),
        ),
      ),
    );
  }
}

// ----- topics ----------------------------------------------------------------------------------------------------

interface Topic {
  readonly arn: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly subscriptions: ReadonlyArray<{
    arn: string;
    protocol: string;
    endpoint: string;
    filterPolicy?: string;
    filterPolicyScope?: string;
    rawMessageDelivery: boolean;
  }>;
}

interface Verdict {
  readonly subscriptionArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly reached: boolean;
  readonly reasons: readonly string[];
}

const lastPart = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

export async function topicsPage(context: PageContext): Promise<void> {
  const { topics } = await getJson<{ topics: Topic[] }>('/_console/api/topics');
  if (!context.current()) return;
  const name = context.params[0];
  const topic = topics.find((t) => t.name === name);
  if (!topic) {
    append(
      context.main,
      h('h1', {}, 'Topics'),
      table(
        'Topics',
        ['Topic', 'Subscriptions', 'Type'],
        topics.map((t) => [
          link(`#/topics/${encodeURIComponent(t.name)}`, t.name),
          String(t.subscriptions.length),
          t.fifo ? 'FIFO' : 'Standard',
        ]),
      ),
    );
    return;
  }
  const message = h('textarea', { rows: 4, id: 'publish-message' });
  const subject = h('input', { type: 'text', id: 'publish-subject' });
  const rows = [0, 1, 2].map((i) => ({
    name: h('input', { type: 'text', id: `attr-name-${i}`, autocomplete: 'off' }),
    type: h(
      'select',
      { id: `attr-type-${i}` },
      ...['String', 'Number', 'String.Array'].map((t) => h('option', { value: t }, t)),
    ),
    value: h('input', { type: 'text', id: `attr-value-${i}`, autocomplete: 'off' }),
  }));
  const group = h('input', { type: 'text', id: 'publish-group' });
  const status = statusLine();
  const verdicts = h('div', {});
  const input = () => {
    const attributes: Record<string, { DataType: string; StringValue: string }> = {};
    for (const row of rows) {
      if (row.name.value)
        attributes[row.name.value] = { DataType: row.type.value, StringValue: row.value.value };
    }
    return {
      TopicArn: topic.arn,
      Message: message.value,
      Subject: subject.value,
      MessageGroupId: group.value,
      MessageAttributes: attributes,
    };
  };
  const test = async () => {
    try {
      const result = await postJson<{ verdicts: Verdict[] }>('/_console/api/topics/test-filter', input());
      const reached = result.verdicts.filter((v) => v.reached).length;
      status.say(`Would reach ${reached} of ${result.verdicts.length} subscriptions.`);
      replace(
        verdicts,
        table(
          'Filter test',
          ['Subscription', 'Endpoint', 'Delivered?', 'Why not'],
          result.verdicts.map((v) => [
            `${v.protocol} ${lastPart(v.subscriptionArn).slice(0, 8)}`,
            v.protocol === 'sqs'
              ? link(`#/queues/${encodeURIComponent(lastPart(v.endpoint))}`, lastPart(v.endpoint))
              : v.endpoint,
            h(
              'span',
              { class: v.reached ? 'badge emulated' : 'badge not-emulated' },
              v.reached ? 'reached' : 'filtered out',
            ),
            v.reasons.join('; '),
          ]),
        ),
      );
    } catch (error) {
      status.say(String(error), true);
    }
  };
  const publish = async () => {
    try {
      const result = await postJson<{ MessageId: string }>('/_console/api/topics/publish', input());
      status.say(`Published message ${result.MessageId}.`);
    } catch (error) {
      status.say(String(error), true);
    }
  };
  append(
    context.main,
    h('p', {}, link('#/topics', '← Topics')),
    h('h1', {}, topic.name),
    details([
      ['ARN', topic.arn],
      ['Type', topic.fifo ? 'FIFO' : 'Standard'],
    ]),
    table(
      'Subscriptions',
      ['Protocol', 'Endpoint', 'Filter policy', 'Raw delivery'],
      topic.subscriptions.map((s) => [
        s.protocol,
        s.protocol === 'sqs'
          ? link(`#/queues/${encodeURIComponent(lastPart(s.endpoint))}`, lastPart(s.endpoint))
          : s.endpoint,
        s.filterPolicy
          ? h(
              'pre',
              { class: 'policy' },
              `${pretty(s.filterPolicy)}${s.filterPolicyScope === 'MessageBody' ? '\n(on the message body)' : ''}`,
            )
          : 'none: every message',
        s.rawMessageDelivery ? 'yes' : 'no',
      ]),
    ),
    h(
      'section',
      { 'aria-labelledby': 'publish-h' },
      h('h2', { id: 'publish-h' }, 'Publish, or test the filter policies'),
      field('Message', message),
      field('Subject (optional)', subject),
      topic.fifo ? field('Message group ID', group) : null,
      h(
        'fieldset',
        {},
        h('legend', {}, 'Message attributes'),
        ...rows.map((row, i) =>
          h(
            'div',
            { class: 'row' },
            field(`Attribute ${i + 1} name`, row.name),
            field(`Attribute ${i + 1} type`, row.type),
            field(`Attribute ${i + 1} value`, row.value),
          ),
        ),
      ),
      h(
        'div',
        { class: 'buttons' },
        button('Test filter policies', () => void test()),
        ' ',
        button('Publish message', () => void publish(), 'primary'),
      ),
      status,
      verdicts,
    ),
  );
}

// ----- buckets ---------------------------------------------------------------------------------------------------

interface Notification {
  readonly kind: string;
  readonly id?: string;
  readonly arn?: string;
  readonly events?: readonly string[];
}

interface BucketListing {
  readonly name: string;
  readonly prefix: string;
  readonly notifications: readonly Notification[];
  readonly folders: readonly string[];
  readonly objects: ReadonlyArray<{
    key: string;
    size: number;
    etag: string;
    lastModified: string;
    contentType: string;
    metadata: Record<string, string>;
  }>;
  readonly next?: string;
}

function notificationTable(notifications: readonly Notification[]): HTMLElement {
  return table(
    'Event notifications',
    ['Destination', 'Events', 'ID'],
    notifications.map((n) => [
      `${n.kind} ${n.arn ? lastPart(n.arn) : ''}`,
      (n.events ?? []).join(', '),
      n.id ?? '',
    ]),
  );
}

export async function bucketsPage(context: PageContext): Promise<void> {
  const name = context.params[0];
  if (name === undefined) {
    const { buckets } = await getJson<{ buckets: Array<{ name: string; notifications: Notification[] }> }>(
      '/_console/api/buckets',
    );
    if (!context.current()) return;
    append(
      context.main,
      h('h1', {}, 'Buckets'),
      table(
        'Buckets',
        ['Bucket', 'Notifications'],
        buckets.map((b) => [
          link(`#/buckets/${encodeURIComponent(b.name)}`, b.name),
          b.notifications.map((n) => `${n.kind} ${n.arn ? lastPart(n.arn) : ''}`).join(', ') || 'none',
        ]),
      ),
    );
    return;
  }
  const prefix = context.params.slice(1).join('/');
  const listing = await getJson<BucketListing>(
    `/_console/api/buckets/${encodeURIComponent(name)}?prefix=${encodeURIComponent(prefix)}`,
  );
  if (!context.current()) return;
  const here = (p: string) =>
    `#/buckets/${encodeURIComponent(name)}/${p.split('/').map(encodeURIComponent).join('/')}`;
  const file = h('input', { type: 'file', id: 'upload-file' });
  const key = h('input', { type: 'text', id: 'upload-key', value: prefix });
  const status = statusLine();
  const upload = async () => {
    const chosen = file.files?.[0];
    if (!chosen) {
      status.say('Choose a file first.', true);
      return;
    }
    const target = key.value.endsWith('/') || key.value === '' ? `${key.value}${chosen.name}` : key.value;
    try {
      await s3Object('PUT', name, target, chosen);
      status.say(`Uploaded ${target}.`);
      window.setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 300);
    } catch (error) {
      status.say(String(error), true);
    }
  };
  const remove = async (objectKey: string, control: HTMLButtonElement) => {
    try {
      await s3Object('DELETE', name, objectKey);
      control.disabled = true;
      control.textContent = 'Deleted';
      status.say(`Deleted ${objectKey}.`);
    } catch (error) {
      status.say(String(error), true);
    }
  };
  const crumbs = prefix.split('/').filter((p) => p !== '');
  append(
    context.main,
    h('p', {}, link('#/buckets', '← Buckets')),
    h('h1', {}, name),
    h(
      'nav',
      { 'aria-label': 'Prefix', class: 'crumbs' },
      link(here(''), name),
      ...crumbs.flatMap((c, i) => [' / ', link(here(`${crumbs.slice(0, i + 1).join('/')}/`), c)]),
    ),
    table(
      prefix ? `Objects under ${prefix}` : 'Objects',
      ['Key', 'Size', 'Last modified', 'Type and metadata', 'Actions'],
      [
        ...listing.folders.map((f) => [link(here(f), f.slice(prefix.length)), 'folder', '', '', '']),
        ...listing.objects.map((o) => {
          const del = button('Delete', () => void remove(o.key, del), 'danger');
          return [
            o.key.slice(prefix.length),
            `${o.size} B`,
            time(o.lastModified),
            `${o.contentType}${
              Object.keys(o.metadata).length
                ? `; ${Object.entries(o.metadata)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')}`
                : ''
            }`,
            h(
              'span',
              { class: 'actions' },
              h(
                'a',
                { href: objectUrl(name, o.key), download: o.key.split('/').pop() ?? 'object' },
                'Download',
              ),
              ' ',
              del,
            ),
          ];
        }),
      ],
    ),
    listing.next ? h('p', {}, 'More objects follow (the first 200 are shown).') : null,
    h(
      'section',
      { 'aria-labelledby': 'upload-h' },
      h('h2', { id: 'upload-h' }, 'Upload'),
      h(
        'div',
        { class: 'row' },
        field('File', file),
        field('Key (a prefix ending in / keeps the file name)', key),
      ),
      button('Upload', () => void upload(), 'primary'),
      status,
    ),
    h('section', {}, h('h2', {}, 'Event notifications'), notificationTable(listing.notifications)),
  );
}

// ----- functions -------------------------------------------------------------------------------------------------

interface FunctionPage {
  readonly configuration: {
    FunctionName: string;
    Runtime: string;
    Handler: string;
    Timeout: number;
    MemorySize: number;
    Environment?: { Variables: Record<string, string> };
  };
  readonly eventSources: ReadonlyArray<{ uuid: string; eventSourceArn: string; batchSize: number }>;
  readonly invocations: ReadonlyArray<{
    at: string;
    requestId: string;
    trigger: string;
    ok: boolean;
    durationMs: number;
    error?: string;
    records?: number;
    failedRecords?: number;
    log: readonly string[];
  }>;
  readonly templates: Record<string, unknown>;
}

export async function functionsPage(context: PageContext): Promise<void> {
  const name = context.params[0];
  if (name === undefined) {
    const { functions } = await getJson<{
      functions: Array<{ name: string; runtime: string; handler: string; invocations: number }>;
    }>('/_console/api/functions');
    if (!context.current()) return;
    append(
      context.main,
      h('h1', {}, 'Functions'),
      table(
        'Functions',
        ['Function', 'Runtime', 'Handler', 'Recent invocations'],
        functions.map((f) => [
          link(`#/functions/${encodeURIComponent(f.name)}`, f.name),
          f.runtime,
          f.handler,
          String(f.invocations),
        ]),
      ),
    );
    return;
  }
  const page = await getJson<FunctionPage>(`/_console/api/functions/${encodeURIComponent(name)}`);
  if (!context.current()) return;
  const template = h(
    'select',
    { id: 'invoke-template' },
    h('option', { value: '' }, 'Empty event {}'),
    ...Object.keys(page.templates).map((t) => h('option', { value: t }, t)),
  );
  const payload = h('textarea', { rows: 10, id: 'invoke-payload' }, '{}');
  template.addEventListener('change', () => {
    payload.value = template.value ? JSON.stringify(page.templates[template.value], null, 2) : '{}';
  });
  const status = statusLine();
  const output = h('div', {});
  const invocations = h('div', {});
  const drawInvocations = (list: FunctionPage['invocations']) =>
    replace(
      invocations,
      table(
        'Recent invocations',
        ['Time', 'Trigger', 'Outcome', 'Duration', 'Request ID', 'Log'],
        list.map((i) => [
          time(i.at),
          i.trigger,
          h(
            'span',
            { class: i.ok ? 'badge emulated' : 'badge not-emulated' },
            i.ok ? 'ok' : `failed${i.error ? `: ${i.error}` : ''}`,
          ),
          `${i.durationMs} ms`,
          h('code', {}, i.requestId),
          i.log.length
            ? h(
                'details',
                {},
                h('summary', {}, `${i.log.length} lines`),
                h('pre', { class: 'log' }, i.log.join('\n')),
              )
            : '—',
        ]),
      ),
    );
  const invoke = async () => {
    try {
      const result = await postJson<{
        requestId: string;
        functionError?: string;
        payload: unknown;
        log?: string;
      }>('/_console/api/functions/invoke', {
        FunctionName: page.configuration.FunctionName,
        Payload: payload.value,
      });
      status.say(
        result.functionError
          ? `Invocation ${result.requestId} failed (${result.functionError}).`
          : `Invocation ${result.requestId} succeeded.`,
        Boolean(result.functionError),
      );
      replace(
        output,
        h('h3', {}, 'Result'),
        h('pre', { class: 'body' }, JSON.stringify(result.payload, null, 2) ?? 'null'),
        h('h3', {}, 'Log'),
        h('pre', { class: 'log', id: 'invoke-log' }, result.log ?? ''),
      );
      const fresh = await getJson<FunctionPage>(`/_console/api/functions/${encodeURIComponent(name)}`);
      if (context.current()) drawInvocations(fresh.invocations);
    } catch (error) {
      status.say(String(error), true);
    }
  };
  const config = page.configuration;
  append(
    context.main,
    h('p', {}, link('#/functions', '← Functions')),
    h('h1', {}, config.FunctionName),
    details([
      ['Runtime', config.Runtime],
      ['Handler', config.Handler],
      ['Timeout (s)', String(config.Timeout)],
      ['Memory (MB)', String(config.MemorySize)],
      [
        'Triggers',
        page.eventSources.map((e) => `${lastPart(e.eventSourceArn)} (batch ${e.batchSize})`).join(', ') ||
          'none mapped (S3 and SNS invoke it directly)',
      ],
    ]),
    h(
      'section',
      { 'aria-labelledby': 'invoke-h' },
      h('h2', { id: 'invoke-h' }, 'Invoke with a test event'),
      field('Template', template, 'prefilled from the app’s own bucket, queue and topic'),
      field('Event (JSON)', payload),
      button('Invoke', () => void invoke(), 'primary'),
      status,
      output,
    ),
    h('section', { 'aria-labelledby': 'inv-h' }, h('h2', { id: 'inv-h' }, 'Invocations'), invocations),
  );
  drawInvocations(page.invocations);
  context.onEvent((event) => {
    if (event.kind === 'function-invoked' && event.functionName === config.FunctionName) {
      void getJson<FunctionPage>(`/_console/api/functions/${encodeURIComponent(name)}`).then((fresh) => {
        if (context.current()) drawInvocations(fresh.invocations);
      });
    }
  });
}
