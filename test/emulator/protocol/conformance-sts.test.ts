/**
 * STS's wire against the SDK's own codecs and model (test/helpers/conformance.ts): every emulated operation's inputs
 * and outputs round-trip on the query protocol, and every refused member is one of the model's.
 */
import { STS_WIRE } from '../../../lib/emulator/protocol/sts';
import { describeRpcConformance } from '../../helpers/conformance';

describeRpcConformance(STS_WIRE);
