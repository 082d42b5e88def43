/**
 * SQS's wire against the SDK's own codecs and model (test/helpers/conformance.ts), on both protocols it speaks
 * (AWS JSON 1.0 and query): every emulated operation's inputs and outputs round-trip, and every error code of
 * the model reaches JSON clients as its own shape.
 */
import { SQS_WIRE } from '../../../lib/emulator/protocol/sqs';
import { describeRpcConformance } from '../../helpers/conformance';

describeRpcConformance(SQS_WIRE);
