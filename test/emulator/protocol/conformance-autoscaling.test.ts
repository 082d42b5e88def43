/**
 * Auto Scaling's wire against the SDK's own codecs and model (test/helpers/conformance.ts): every emulated
 * operation's inputs and outputs round-trip, and every refused member is one of the model's.
 */
import { AUTOSCALING_WIRE } from '../../../lib/emulator/protocol/autoscaling';
import { describeRpcConformance } from '../../helpers/conformance';

describeRpcConformance(AUTOSCALING_WIRE);
