/**
 * Firehose's wire against the SDK's own codecs and model (test/helpers/conformance.ts): every emulated operation's
 * inputs and outputs round-trip on AWS JSON 1.1, and every refused member is one of the model's.
 */
import { FIREHOSE_WIRE } from '../../../lib/emulator/protocol/firehose';
import { describeRpcConformance } from '../../helpers/conformance';

describeRpcConformance(FIREHOSE_WIRE);
