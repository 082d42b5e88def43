/** docs/emulator.md prints the operations the code emulates, and the members it refuses, as they are now. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CATALOG_END,
  CATALOG_START,
  catalogMarkdown,
  operationCatalog,
} from '../../../lib/emulator/protocol/operation-catalog';

describe('the operation catalog', () => {
  const catalog = operationCatalog();

  test('names every service, and every operation a service emulates is one of its model', () => {
    // Assess
    expect(catalog.map((s) => s.service)).toEqual([
      'SQS',
      'SNS',
      'S3',
      'Lambda',
      'CloudWatch',
      'CloudWatch Logs',
      'Auto Scaling',
      'STS',
      'SSM',
      'Kinesis',
      'Firehose',
      'CloudFormation',
    ]);
    for (const service of catalog) {
      expect([service.service, service.operations.some((o) => o.emulated)]).toEqual([service.service, true]);
      const emulated = new Set(service.operations.filter((o) => o.emulated).map((o) => o.name));
      for (const name of Object.keys(service.refused))
        expect([service.service, name, emulated.has(name)]).toEqual([service.service, name, true]);
    }
  });

  test('docs/emulator.md prints it as the code has it (npm run docs:operations rewrites it)', () => {
    // Prepare
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'emulator.md'), 'utf8');
    // Act
    const printed = doc.slice(doc.indexOf(CATALOG_START), doc.indexOf(CATALOG_END) + CATALOG_END.length);
    // Assess
    expect(printed).toBe(catalogMarkdown(catalog));
  });
});
