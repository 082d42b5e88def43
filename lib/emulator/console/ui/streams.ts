/// <reference lib="dom" />
/**
 * Streams: each Kinesis data stream with its shards (open or closed by a reshard, their parents and hash key
 * ranges, records kept), the Lambda event source mappings reading it, and the Firehose delivery streams.
 */
import { getJson } from './api';
import { append, details, h, link, replace, table } from './dom';
import type { PageContext } from './main';

interface StreamsPage {
  readonly streams: ReadonlyArray<{
    readonly name: string;
    readonly arn: string;
    readonly status: string;
    readonly mode: string;
    readonly retentionHours: number;
    readonly encryption: string;
    readonly keyId?: string;
    readonly openShardCount: number;
    readonly shards: ReadonlyArray<{
      readonly shardId: string;
      readonly parentShardId?: string;
      readonly adjacentParentShardId?: string;
      readonly startingHashKey: string;
      readonly endingHashKey: string;
      readonly open: boolean;
      readonly records: number;
      readonly latestSequenceNumber?: string;
    }>;
    readonly eventSourceMappings: ReadonlyArray<{
      readonly uuid: string;
      readonly functionName: string;
      readonly state: string;
      readonly batchSize: number;
      readonly startingPosition?: string;
    }>;
    readonly deliveryStreams: readonly string[];
  }>;
  readonly deliveryStreams: ReadonlyArray<{
    readonly name: string;
    readonly type: string;
    readonly sourceStreamArn?: string;
    readonly bucket?: string;
    readonly prefix: string;
    readonly bufferedRecords: number;
  }>;
}

const code = (text: string | undefined) => (text ? h('code', {}, text) : '—');
const shardId = (text: string | undefined) => (text ? h('code', { class: 'shard-id' }, text) : '—');

export function streamsPage(context: PageContext): void {
  const body = h('div', {});
  append(
    context.main,
    h('h1', {}, 'Streams'),
    h(
      'p',
      {},
      'Kinesis data streams and their shards, the functions reading them, and Firehose delivery streams. Refreshed every 5 seconds.',
    ),
    body,
  );
  context.every(5_000, async () => {
    const page = await getJson<StreamsPage>('/_console/api/streams');
    if (!context.current()) return;
    replace(
      body,
      page.streams.length === 0
        ? h(
            'p',
            {},
            'No Kinesis data streams: npm start deploys the Streams stack’s, or CreateStream makes one.',
          )
        : null,
      ...page.streams.map((stream) =>
        h(
          'section',
          { class: 'stream', 'aria-label': `Stream ${stream.name}` },
          h('h2', {}, `${stream.name} `, h('small', {}, stream.status)),
          details([
            ['ARN', code(stream.arn)],
            ['Capacity mode', stream.mode],
            ['Retention', `${stream.retentionHours} hours`],
            ['Encryption', stream.keyId ? `${stream.encryption} (${stream.keyId})` : stream.encryption],
            ['Open shards', String(stream.openShardCount)],
            ['Read by Firehose', stream.deliveryStreams.length ? stream.deliveryStreams.join(', ') : '—'],
          ]),
          table(
            `Shards of ${stream.name}`,
            [
              'Shard',
              'Parent',
              'Adjacent parent',
              'Hash key range',
              'State',
              'Records',
              'Latest sequence number',
            ],
            stream.shards.map((s) => [
              shardId(s.shardId),
              shardId(s.parentShardId),
              shardId(s.adjacentParentShardId),
              h('code', { class: 'hash-range' }, `${s.startingHashKey} – ${s.endingHashKey}`),
              h('span', { class: s.open ? 'badge emulated' : 'badge kept' }, s.open ? 'open' : 'closed'),
              String(s.records),
              code(s.latestSequenceNumber),
            ]),
          ),
          table(
            `Event source mappings reading ${stream.name}`,
            ['Function', 'State', 'Batch size', 'Starting position', 'UUID'],
            stream.eventSourceMappings.map((m) => [
              link(`#/functions/${encodeURIComponent(m.functionName)}`, m.functionName),
              m.state,
              String(m.batchSize),
              m.startingPosition ?? '—',
              h('code', {}, m.uuid),
            ]),
          ),
        ),
      ),
      h(
        'section',
        { class: 'delivery-streams' },
        h('h2', {}, 'Firehose delivery streams'),
        table(
          'Firehose delivery streams',
          ['Delivery stream', 'Source', 'Destination', 'Buffered records'],
          page.deliveryStreams.map((d) => {
            const source = d.sourceStreamArn?.slice(d.sourceStreamArn.lastIndexOf('/') + 1);
            return [
              d.name,
              source ? `Kinesis stream ${source}` : 'Direct PUT',
              d.bucket
                ? link(`#/buckets/${encodeURIComponent(d.bucket)}`, `s3://${d.bucket}/${d.prefix}`)
                : '—',
              String(d.bufferedRecords),
            ];
          }),
        ),
      ),
    );
  });
}
