/**
 * End User Messaging RCS and voice messages and sender-registration changes (EventBridge only).
 * Shares the event builder of `eum.ts`: same key order, `isFinal`, prices in dollars.
 */
import { type Batch, DAY, eraAt, type GenContext, MINUTE } from './context';
import { eventBridge } from './envelopes';
import { emit, head } from './eum';

/** One RCS message: queued, delivered and often read; or expired and fallen back to SMS (then TEXT_* events). */
export function eumRcs(ctx: GenContext, t0: number, batch: Batch): void {
  if (!eraAt(t0).endUserMessaging) return;
  const { rng, world } = ctx;
  const endpoint = rng.pick(world.endpoints.filter((e) => e.platform.name === 'android'));
  const message = head(ctx, t0, endpoint, world.rcsAgentId, 'RCS Message Delivery Status Updated', {
    campaign: rng.pick(world.campaigns).name,
  });
  message.viaEventBridge = false;
  const rcs = {
    rcsBusinessId: world.rcsAgentId,
    agentIsoCountryCode: 'US',
    messageType: 'PROMOTIONAL',
    rcsMetadata: { billingEventType: rng.chance(0.7) ? 'RICH' : 'BASIC' },
  };
  const priced = { ...rcs, totalMessagePrice: 0.0105, totalCarrierFee: 0.0 };
  emit(
    ctx,
    message,
    ['RCS_QUEUED', 'QUEUED', 'Message is queued for delivery', false, t0 + rng.int(20, 300)],
    priced,
    batch,
  );
  if (rng.chance(0.93)) {
    const deliveredAt = t0 + rng.int(400, 8000);
    emit(
      ctx,
      message,
      ['RCS_DELIVERED', 'DELIVERED', 'Message delivered to the device', true, deliveredAt],
      priced,
      batch,
    );
    if (rng.chance(0.6))
      emit(
        ctx,
        message,
        [
          'RCS_READ',
          'READ',
          'Message was read by the recipient',
          true,
          deliveredAt + Math.round(rng.logNormal(15 * MINUTE, 1.4)) + 1000,
        ],
        rcs,
        batch,
      );
    return;
  }
  const expiredAt = t0 + rng.int(10, 60) * MINUTE;
  emit(
    ctx,
    message,
    [
      'RCS_TTL_EXPIRED',
      'TTL_EXPIRED',
      'The message was not delivered before its time to live',
      false,
      expiredAt,
    ],
    rcs,
    batch,
  );
  emit(
    ctx,
    message,
    [
      'RCS_FALLEN_BACK_TO_SMS',
      'FALLEN_BACK_TO_SMS',
      'The message was sent as SMS instead',
      true,
      expiredAt + rng.int(10, 500),
    ],
    rcs,
    batch,
  );
  // The fallback SMS keeps the message id and the agent as origination: it is sms.delivered.
  const text = {
    isInternationalSend: false,
    messageType: 'PROMOTIONAL',
    totalMessageParts: 1,
    totalMessagePrice: endpoint.country.smsPrice,
    totalCarrierFee: 0.0,
  };
  emit(
    ctx,
    message,
    [
      'TEXT_SUCCESSFUL',
      'SUCCESSFUL',
      'Message has been accepted by phone carrier',
      true,
      expiredAt + rng.int(1000, 8000),
    ],
    text,
    batch,
  );
}

/** One voice message (a one-time-password call): initiated, ringing, then answered and completed, busy, no answer or failed. */
export function eumVoice(ctx: GenContext, t0: number, batch: Batch): void {
  if (!eraAt(t0).endUserMessaging) return;
  const { rng, world } = ctx;
  const endpoint = rng.pick(world.endpoints);
  const origination = world.originators[endpoint.country.code][0];
  const message = head(ctx, t0, endpoint, origination, 'Voice Message Delivery Status Updated', {
    purpose: 'otp',
  });
  const minutePrice = endpoint.country.code === 'US' || endpoint.country.code === 'CA' ? 0.013 : 0.094;
  const unpriced = { callDurationInSeconds: 0, totalDurationInMinutes: 0, totalMessagePrice: 0.0 };
  let at = t0 + rng.int(100, 900);
  emit(
    ctx,
    message,
    ['VOICE_INITIATED', 'INITIATED', 'The call has been initiated', false, at],
    unpriced,
    batch,
  );
  at += rng.int(800, 4000);
  emit(ctx, message, ['VOICE_RINGING', 'RINGING', 'The phone is ringing', false, at], unpriced, batch);
  at += rng.int(3000, 25000);
  const outcome = rng.weighted<string>([
    ['COMPLETED', 78],
    ['NO_ANSWER', 14],
    ['BUSY', 5],
    ['FAILED', 3],
  ]);
  if (outcome !== 'COMPLETED') {
    const descriptions: Record<string, string> = {
      NO_ANSWER: 'The call was not answered',
      BUSY: 'The line was busy',
      FAILED: 'The call failed',
    };
    emit(ctx, message, [`VOICE_${outcome}`, outcome, descriptions[outcome], true, at], unpriced, batch);
    return;
  }
  emit(ctx, message, ['VOICE_ANSWERED', 'ANSWERED', 'The call was answered', false, at], unpriced, batch);
  const seconds = rng.int(12, 75);
  const minutes = Math.ceil(seconds / 60);
  const priced = {
    callDurationInSeconds: seconds,
    totalDurationInMinutes: minutes,
    totalMessagePrice: Math.round(minutes * minutePrice * 1e5) / 1e5,
  };
  emit(
    ctx,
    message,
    ['VOICE_COMPLETED', 'COMPLETED', 'The call has been completed', true, at + seconds * 1000],
    priced,
    batch,
  );
}

/** A sender registration (10DLC brand or campaign, toll-free) moving through review: EventBridge only. */
export function registrationStatus(ctx: GenContext, t0: number, batch: Batch): void {
  if (!eraAt(t0).endUserMessaging) return;
  const { rng, world } = ctx;
  const registrationId = `registration-${rng.hex(32)}`;
  const registrationArn = `arn:aws:sms-voice:${world.region}:${world.accountId}:registration/${registrationId}`;
  const type = rng.pick([
    'US_TEN_DLC_BRAND_REGISTRATION',
    'US_TEN_DLC_CAMPAIGN_REGISTRATION',
    'US_TOLL_FREE_REGISTRATION',
  ]);
  const statuses = ['SUBMITTED', 'REVIEWING', rng.chance(0.8) ? 'COMPLETE' : 'REQUIRES_UPDATES'].slice(
    0,
    rng.int(1, 3),
  );
  let at = t0;
  for (const status of statuses) {
    const detail = {
      registrationDetails: {
        registrationId,
        registrationType: type,
        currentStatus: status,
        registrationVersionNumber: 1,
        registrationStatusChangeTimestamp: at,
      },
      registrationArn,
    };
    const wrapped = eventBridge(ctx, 'aws.sms-voice', 'Registration Status Change', detail, at, [
      registrationArn,
    ]);
    batch.add(wrapped.latestTime, wrapped.record);
    at += Math.round(rng.logNormal(DAY, 0.8));
  }
}
