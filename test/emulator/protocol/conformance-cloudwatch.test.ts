/**
 * CloudWatch's wire against the SDK's own codecs and model (test/helpers/conformance.ts): every emulated operation's
 * inputs and outputs round-trip on AWS JSON 1.0 and on the query protocol, and every refused member is one of the
 * model's.
 */
import { CLOUDWATCH_WIRE } from '../../../lib/emulator/protocol/cloudwatch';
import { describeRpcConformance } from '../../helpers/conformance';

describeRpcConformance(CLOUDWATCH_WIRE);
