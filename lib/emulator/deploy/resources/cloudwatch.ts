/** AWS::CloudWatch::Alarm: created in the emulator's CloudWatch, which evaluates it every emulated minute. */
import type { PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { type ResourceHandler, tagMap } from './types';

/** Template properties that are numbers in PutMetricAlarm (templates may carry them as strings). */
const NUMERIC = ['DatapointsToAlarm', 'EvaluationPeriods', 'Period', 'Threshold'];

/** Ref: the alarm name; Fn::GetAtt: Arn. */
export const alarmHandler: ResourceHandler = {
  replacedBy: ['AlarmName'],
  nameProperty: 'AlarmName',
  // PutMetricAlarm on an existing name replaces its definition, as CloudFormation's update does
  update: (request, _previous, context) => alarmHandler.create(request, context),
  delete(resource, context) {
    context.emulator.cloudwatch.deleteAlarms({ AlarmNames: [resource.ref] });
  },
  create(request, context) {
    const p = request.properties;
    const name = (p.AlarmName as string | undefined) ?? context.physicalName({ maxLength: 255 });
    const input: Record<string, unknown> = { ...p, AlarmName: name };
    for (const key of NUMERIC) if (input[key] !== undefined) input[key] = Number(input[key]);
    if (input.ActionsEnabled !== undefined) input.ActionsEnabled = String(input.ActionsEnabled) === 'true';
    if (Array.isArray(input.Metrics)) {
      input.Metrics = (input.Metrics as Array<Record<string, unknown>>).map((m) => ({
        ...m,
        ...(m.Period !== undefined ? { Period: Number(m.Period) } : {}),
        ...(m.ReturnData !== undefined ? { ReturnData: String(m.ReturnData) === 'true' } : {}),
        ...(m.MetricStat !== undefined
          ? {
              MetricStat: {
                ...(m.MetricStat as object),
                Period: Number((m.MetricStat as { Period?: unknown }).Period),
              },
            }
          : {}),
      }));
    }
    const tags = tagMap(p.Tags);
    input.Tags = tags ? Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) : undefined;
    context.emulator.cloudwatch.putMetricAlarm(input as unknown as PutMetricAlarmInput);
    const { region, accountId } = context.emulator;
    return {
      ref: name,
      display: name,
      attributes: { Arn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}` },
      note: `${String(p.MetricName ?? 'metric math')} evaluated every emulated minute`,
    };
  },
};
