/**
 * Pinpoint event types (`_SMS.SUCCESS`, `_email.hardbounce`, `level_complete`…) to the event
 * model's family and normalised `event_name`. Matching ignores case, because the 2018 docs wrote
 * `_sms.success` where the current ones write `_SMS.SUCCESS`.
 */
import type { Family } from '../schema';

/** The family and normalised name of one Pinpoint event type. */
export interface PinpointEventName {
  family: Family;
  eventName: string;
  /** A known prefix (`_email.`) with an action we do not know: the name is `<family>.other`. */
  unknownType: boolean;
}

interface Prefix {
  family: Family;
  /** Lower-cased source action → normalised action. */
  actions: Readonly<Record<string, string>>;
}

const PUSH_ACTIONS = {
  send: 'send',
  opened_notification: 'opened_notification',
  received_foreground: 'received_foreground',
  received_background: 'received_background',
};

/** Reserved Pinpoint prefixes, lower-cased, without the dot. */
const PREFIXES: Readonly<Record<string, Prefix>> = {
  _session: {
    family: 'app',
    actions: {
      start: 'session_start',
      stop: 'session_stop',
      pause: 'session_pause',
      resume: 'session_resume',
    },
  },
  _monetization: { family: 'app', actions: { purchase: 'purchase' } },
  _userauth: { family: 'app', actions: { sign_in: 'sign_in', sign_up: 'sign_up', auth_fail: 'auth_fail' } },
  _campaign: { family: 'campaign', actions: PUSH_ACTIONS },
  _journey: { family: 'journey', actions: PUSH_ACTIONS },
  _inapp: {
    family: 'in_app',
    actions: { message_displayed: 'displayed', message_dismissed: 'dismissed', message_clicked: 'clicked' },
  },
  _email: {
    family: 'email',
    actions: {
      send: 'send',
      delivered: 'delivered',
      open: 'open',
      click: 'click',
      hardbounce: 'hard_bounce',
      softbounce: 'soft_bounce',
      complaint: 'complaint',
      rejected: 'rejected',
      unsubscribe: 'unsubscribe',
      rendering_failure: 'rendering_failure',
    },
  },
  _sms: {
    family: 'sms',
    actions: {
      send: 'send',
      buffered: 'buffered',
      success: 'delivered',
      failure: 'failed',
      fail: 'failed',
      optout: 'opt_out',
    },
  },
};

/**
 * Names one Pinpoint event type. A reserved prefix with an unknown action becomes
 * `<family>.other`; any other type is a custom app event, `app.custom`.
 *
 * @example
 * pinpointEventName('_SMS.SUCCESS'); // { family: 'sms', eventName: 'sms.delivered', unknownType: false }
 * pinpointEventName('level_complete'); // { family: 'app', eventName: 'app.custom', unknownType: false }
 */
export function pinpointEventName(eventType: string): PinpointEventName {
  const folded = eventType.trim().toLowerCase();
  const dot = folded.indexOf('.');
  const key = dot < 0 ? '' : folded.slice(0, dot);
  // hasOwn: an event type such as `constructor.x` must not find Object.prototype members.
  const prefix = Object.hasOwn(PREFIXES, key) ? PREFIXES[key] : undefined;
  if (prefix === undefined) {
    return { family: 'app', eventName: 'app.custom', unknownType: false };
  }
  const action = folded.slice(dot + 1);
  const known = Object.hasOwn(prefix.actions, action) ? prefix.actions[action] : undefined;
  return known === undefined
    ? { family: prefix.family, eventName: `${prefix.family}.other`, unknownType: true }
    : { family: prefix.family, eventName: `${prefix.family}.${known}`, unknownType: false };
}
