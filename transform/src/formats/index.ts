import type { SourceFormat } from '../types';
import { pinpoint, pinpointLegacy } from './pinpoint';
import { ses, sesNotification } from './ses';
import { smsVoiceRegistration, smsVoiceV2 } from './sms-voice';

/** Source formats in the order they are tried (see the event model's recognition rules). */
export const SOURCE_FORMATS: readonly SourceFormat[] = [
  pinpoint,
  pinpointLegacy,
  ses,
  sesNotification,
  smsVoiceV2,
  smsVoiceRegistration,
];
